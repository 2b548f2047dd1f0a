package io.jcluster.sessions.jetty;

import io.jcluster.bootstrap.SharedSessions;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.AbstractSessionManager;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.session.SessionCacheFactory;
import org.eclipse.jetty.session.SessionDataStoreFactory;

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
        String replaced = previous != null ? previous.getClass().getName() : configured(manager.getServer());
        if (replaced != null) {
            store.log("sessions=shared: a jetty session manager came with its own session storage (" + replaced
                    + "); the cluster's store replaces it");
        }
    }

    /** The session cache or store factory the server was given (Jetty's session-store modules add one), if any. */
    private static String configured(Server server) {
        if (server == null) {
            return null;
        }
        Object factory = server.getBean(SessionCacheFactory.class);
        if (factory == null) {
            factory = server.getBean(SessionDataStoreFactory.class);
        }
        return factory == null ? null : factory.getClass().getName();
    }
}
