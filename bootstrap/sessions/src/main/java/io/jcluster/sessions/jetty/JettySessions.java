package io.jcluster.sessions.jetty;

import io.jcluster.bootstrap.SharedSessions;

import java.util.function.Consumer;

/** sessions=shared for Jetty: not built yet. */
public final class JettySessions implements Consumer<Object> {

    @Override
    public void accept(Object server) {
        SharedSessions.Store store = SharedSessions.store();
        store.log("sessions=shared: jetty is not supported yet; " + server.getClass().getName() + " keeps its sessions in this worker");
    }
}
