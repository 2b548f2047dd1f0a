package io.jcluster.sessions.tomcat;

import io.jcluster.bootstrap.SharedSessions;

import java.util.function.Consumer;

/** sessions=shared for Tomcat: not built yet. */
public final class TomcatSessions implements Consumer<Object> {

    @Override
    public void accept(Object server) {
        SharedSessions.Store store = SharedSessions.store();
        store.log("sessions=shared: tomcat is not supported yet; " + server.getClass().getName() + " keeps its sessions in this worker");
    }
}
