package io.jcluster.sessions.undertow;

import io.jcluster.bootstrap.SessionCalls;
import io.jcluster.bootstrap.SharedSessions;
import io.undertow.server.session.InMemorySessionManager;

import java.util.function.Consumer;

/**
 * sessions=shared for Undertow 2.x: core-handler apps (SessionAttachmentHandler) and servlet deployments
 * (InMemorySessionManagerFactory) both keep their sessions in an {@link InMemorySessionManager}, which the app
 * constructs and calls directly and which has no extension point for a store. So the agent hands over each manager
 * as it is constructed, and its createSession and getSession calls (advice in those methods asks
 * {@link SessionCalls}) are answered by a {@link SharedManager} instead.
 */
public final class UndertowSessions implements Consumer<Object> {

    @Override
    public void accept(Object server) {
        SharedSessions.Store store = SharedSessions.store();
        if (store == null) {
            return;
        }
        if (!(server instanceof InMemorySessionManager manager)) {
            store.log("sessions=shared: undertow: " + server.getClass().getName() + " is not an InMemorySessionManager;"
                    + " its sessions stay in this worker's memory");
            return;
        }
        SharedManager shared;
        try {
            shared = new SharedManager(manager, store);
        } catch (ReflectiveOperationException | RuntimeException e) {
            store.log("sessions=shared: undertow '" + manager.getDeploymentName() + "': this Undertow version does not"
                    + " fit jcluster's session adapter (" + e + "); its sessions stay in this worker's memory");
            return;
        }
        if (!SessionCalls.answer(manager, shared)) {
            store.log("sessions=shared: undertow '" + manager.getDeploymentName() + "': more than "
                    + "1024 session managers in one worker; this one keeps its sessions in this worker's memory");
        }
    }
}
