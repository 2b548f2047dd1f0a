package io.jcluster.bootstrap;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * For a server whose sessions have no extension point an adapter could install once (Undertow's
 * InMemorySessionManager: an app constructs it and calls it directly): advice in that server object's methods asks
 * here first, and the adapter sharing that object answers. The adapter registers with {@link #answer} when it adopts
 * the object; the advice calls {@link #ask} on every call. On the boot class path because both the advice (inlined
 * into the server's class) and the adapter (defined beside the server's loader) can see it.
 */
public final class SessionCalls {

    /** More server objects than any app has session managers: past this, a new one keeps the server's own code. */
    static final int MAX_SERVERS = 1_024;

    private record Entry(WeakReference<Object> server, BiFunction<String, Object[], Object> answerer) {
    }

    /** Copied on write: read on every call without a lock, written once per server object. */
    private static volatile Entry[] entries = new Entry[0];

    private SessionCalls() {
    }

    /**
     * From now on {@code answerer} answers the calls of {@code server}: it gets the method's name and arguments and
     * returns the answer, or null to let the server's own code run. It should not hold {@code server} strongly:
     * this registry forgets the entry once the server object is garbage.
     *
     * @return false when {@link #MAX_SERVERS} server objects are registered already
     */
    public static synchronized boolean answer(Object server, BiFunction<String, Object[], Object> answerer) {
        List<Entry> live = new ArrayList<>(entries.length + 1);
        for (Entry entry : entries) {
            Object registered = entry.server().get();
            if (registered != null && registered != server) {
                live.add(entry);
            }
        }
        if (live.size() >= MAX_SERVERS) {
            return false;
        }
        live.add(new Entry(new WeakReference<>(server), answerer));
        entries = live.toArray(new Entry[0]);
        return true;
    }

    /** The server's own code runs for {@code server} from now on. */
    public static synchronized void forget(Object server) {
        List<Entry> live = new ArrayList<>(entries.length);
        for (Entry entry : entries) {
            Object registered = entry.server().get();
            if (registered != null && registered != server) {
                live.add(entry);
            }
        }
        entries = live.toArray(new Entry[0]);
    }

    /**
     * The answer of the adapter that shares {@code server} to the call of {@code method} with {@code arguments}, or
     * null when none shares it (the server's own code then runs). What the adapter throws reaches the server's
     * caller (a store that does not answer fails the request), except a linkage error (a server version the
     * adapter does not fit): that server object keeps the server's own code from then on, said once.
     */
    public static Object ask(Object server, String method, Object[] arguments) {
        for (Entry entry : entries) {
            if (entry.server().get() == server) {
                try {
                    return entry.answerer().apply(method, arguments);
                } catch (LinkageError e) {
                    forget(server);
                    SharedSessions.Store store = SharedSessions.store();
                    if (store != null) {
                        store.log("sessions=shared: " + server.getClass().getName() + "." + method + " does not fit"
                                + " jcluster's session adapter (" + e + "); its sessions stay in this worker's memory"
                                + " from now on");
                    }
                    return null;
                }
            }
        }
        return null;
    }
}
