package io.jcluster.sessions.tomcat;

import io.jcluster.bootstrap.SharedSessions;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;

import java.util.function.Consumer;

/**
 * sessions=shared for Tomcat 10.1 and 11 (embedded, the distribution, Spring Boot): called with each
 * {@code StandardContext} as it starts, before Tomcat gives it its default session manager, it adds a
 * {@link SessionSharingValve} to the context's pipeline. The valve loads the requested session from the cluster's
 * store into the context's own manager at the start of each request and saves it (or removes it) at the end. As the
 * context stops, the shared sessions still in use leave the manager, which would otherwise expire them.
 */
public final class TomcatSessions implements Consumer<Object> {

    @Override
    public void accept(Object server) {
        SharedSessions.Store store = SharedSessions.store();
        if (store == null) {
            return;
        }
        Context context = (Context) server;
        SessionSharingValve valve = new SessionSharingValve(store);
        context.getPipeline().addValve(valve);
        context.addLifecycleListener(event -> {
            if (Lifecycle.BEFORE_STOP_EVENT.equals(event.getType()) && context.getManager() != null) {
                valve.contextStopping(context.getManager());
            }
        });
        store.log("sessions=shared: tomcat context '" + SessionSharingValve.storeName(context)
                + "' keeps its sessions in the cluster's store");
    }
}
