package io.jcluster.agent.worker.sessions;

import io.jcluster.bootstrap.SharedSessions;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * What the session advice calls when a server starts the sessions of a context: hands that server object (a Tomcat
 * StandardContext, a Jetty session manager, an Undertow session manager) to its adapter, once. Each adapter is a
 * {@code Consumer<Object>} of the jcluster-sessions module, defined in an {@link AdapterLoader} whose parent is the
 * server's class loader (one such loader per server loader).
 */
public final class SessionAdapters {

    public static final String TOMCAT = "io.jcluster.sessions.tomcat.TomcatSessions";
    public static final String JETTY = "io.jcluster.sessions.jetty.JettySessions";
    public static final String UNDERTOW = "io.jcluster.sessions.undertow.UndertowSessions";

    private static final Map<ClassLoader, Map<String, Consumer<Object>>> ADAPTERS = new WeakHashMap<>();
    private static final Map<Object, Boolean> ADOPTED = Collections.synchronizedMap(new WeakHashMap<>());

    private SessionAdapters() {
    }

    /**
     * Gives {@code server} to the adapter named {@code adapter}, unless the worker does not share sessions or this
     * object was given before. Never throws into the server: a failure is one line on stderr, and that context keeps
     * the server's own (local) sessions.
     */
    public static void adopt(Object server, String adapter) {
        SharedSessions.Store store = SharedSessions.store();
        if (store == null || server == null || ADOPTED.put(server, Boolean.TRUE) != null) {
            return;
        }
        try {
            adapter(server.getClass().getClassLoader(), adapter).accept(server);
        } catch (Throwable e) {
            store.log("sessions=shared: could not share the sessions of " + server.getClass().getName() + " ("
                    + e + "); its sessions stay in each worker's memory");
        }
    }

    @SuppressWarnings("unchecked")
    private static Consumer<Object> adapter(ClassLoader server, String name) throws ReflectiveOperationException {
        ClassLoader parent = server == null ? ClassLoader.getSystemClassLoader() : server;
        synchronized (ADAPTERS) {
            Map<String, Consumer<Object>> byName = ADAPTERS.computeIfAbsent(parent, loader -> new java.util.HashMap<>());
            Consumer<Object> adapter = byName.get(name);
            if (adapter == null) {
                Class<?> type = Class.forName(name, true, new AdapterLoader(parent));
                adapter = (Consumer<Object>) type.getConstructor().newInstance();
                byName.put(name, adapter);
            }
            return adapter;
        }
    }
}
