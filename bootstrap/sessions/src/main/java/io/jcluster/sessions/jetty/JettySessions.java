package io.jcluster.sessions.jetty;

import io.jcluster.bootstrap.SharedSessions;
import org.eclipse.jetty.session.AbstractSessionManager;
import org.eclipse.jetty.session.SessionCache;

import java.util.function.Consumer;

/**
 * sessions=shared for Jetty 12 (ee10 web apps, Javalin, core SessionHandlers): called as a session manager starts,
 * before it builds its session cache, it gives the manager a {@link SharedSessionCache} over a
 * {@link SharedSessionDataStore}, Jetty's documented extension points for where sessions live.
 */
public final class JettySessions implements Consumer<Object> {

    @Override
    public void accept(Object server) {
        SharedSessions.Store store = SharedSessions.store();
        if (store == null || !(server instanceof AbstractSessionManager manager)) {
            return;
        }
        SessionCache previous = manager.getSessionCache();
        if (previous instanceof SharedSessionCache) {
            return;
        }
        SharedSessionCache cache = new SharedSessionCache(manager);
        cache.setSessionDataStore(new SharedSessionDataStore(store));
        manager.setSessionCache(cache);
        if (previous != null) {
            store.log("sessions=shared: a jetty session manager came with its own session cache ("
                    + previous.getClass().getName() + "); the cluster's store replaces it");
        }
    }
}
