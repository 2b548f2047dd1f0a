package io.jcluster.sessions.undertow;

import io.jcluster.bootstrap.SharedSessions;

import java.util.function.Consumer;

/** sessions=shared for Undertow: not built yet. */
public final class UndertowSessions implements Consumer<Object> {

    @Override
    public void accept(Object server) {
        SharedSessions.Store store = SharedSessions.store();
        store.log("sessions=shared: undertow is not supported yet; " + server.getClass().getName() + " keeps its sessions in this worker");
    }
}
