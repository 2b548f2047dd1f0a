package io.jcluster.agent.worker.sessions;

import io.jcluster.bootstrap.SharedSessions;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
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

    /**
     * The adapters by the server object's class. A ClassValue keeps each value inside its class, so an adapter
     * (whose loader's parent is that class's loader) does not keep a redeployed webapp's loader alive; a
     * WeakHashMap keyed by the loader would, as its values are strongly reachable from the map.
     */
    private static final ClassValue<Map<String, Consumer<Object>>> ADAPTERS = new ClassValue<>() {
        @Override
        protected Map<String, Consumer<Object>> computeValue(Class<?> server) {
            return new ConcurrentHashMap<>();
        }
    };
    /** One adapter loader per server loader, held weakly: the adapters' classes keep it alive as long as needed. */
    private static final Map<ClassLoader, WeakReference<AdapterLoader>> LOADERS = new WeakHashMap<>();
    /**
     * The server objects adopted so far, by identity: a WeakHashMap would compare them with equals, and Undertow's
     * session managers are equal by deployment name (a second manager of one name would never be adopted).
     */
    private static final List<WeakReference<Object>> ADOPTED = new ArrayList<>();

    private SessionAdapters() {
    }

    /**
     * Gives {@code server} to the adapter named {@code adapter}, unless the worker does not share sessions or this
     * object was given before. Never throws into the server: a failure is one line on stderr, and that context keeps
     * the server's own (local) sessions.
     */
    public static void adopt(Object server, String adapter) {
        SharedSessions.Store store = SharedSessions.store();
        if (store == null || server == null || !firstTime(server)) {
            return;
        }
        try {
            adapter(server.getClass(), adapter).accept(server);
        } catch (Throwable e) {
            store.log("sessions=shared: could not share the sessions of " + server.getClass().getName() + " ("
                    + e + "); its sessions stay in each worker's memory");
        }
    }

    static boolean firstTime(Object server) {
        synchronized (ADOPTED) {
            Iterator<WeakReference<Object>> adopted = ADOPTED.iterator();
            while (adopted.hasNext()) {
                Object seen = adopted.next().get();
                if (seen == server) {
                    return false;
                }
                if (seen == null) {
                    adopted.remove();
                }
            }
            ADOPTED.add(new WeakReference<>(server));
            return true;
        }
    }

    @SuppressWarnings("unchecked")
    static Consumer<Object> adapter(Class<?> server, String name) throws ReflectiveOperationException {
        Map<String, Consumer<Object>> byName = ADAPTERS.get(server);
        Consumer<Object> adapter = byName.get(name);
        if (adapter == null) {
            synchronized (byName) {
                adapter = byName.get(name);
                if (adapter == null) {
                    Class<?> type = Class.forName(name, true, loaderFor(server.getClassLoader()));
                    adapter = (Consumer<Object>) type.getConstructor().newInstance();
                    byName.put(name, adapter);
                }
            }
        }
        return adapter;
    }

    private static AdapterLoader loaderFor(ClassLoader server) {
        ClassLoader parent = server == null ? ClassLoader.getSystemClassLoader() : server;
        synchronized (LOADERS) {
            WeakReference<AdapterLoader> known = LOADERS.get(parent);
            AdapterLoader loader = known == null ? null : known.get();
            if (loader == null) {
                loader = new AdapterLoader(parent);
                LOADERS.put(parent, new WeakReference<>(loader));
            }
            return loader;
        }
    }
}
