package io.jcluster.sessions.jetty;

import org.eclipse.jetty.session.DefaultSessionCache;
import org.eclipse.jetty.session.ManagedSession;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.session.SessionManager;
import org.eclipse.jetty.util.thread.AutoLock;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Jetty's own cache, holding a session only while requests use it: the first request loads it from the store,
 * requests that overlap on this worker share that one object (as Jetty does), and the last one to leave saves it and
 * drops it. The next request loads whatever the store has then, which another worker may have written.
 */
final class SharedSessionCache extends DefaultSessionCache {

    /** Jetty's map of the sessions in memory, which this class walks as the context stops. */
    private final ConcurrentMap<String, ManagedSession> sessions;

    SharedSessionCache(SessionManager manager) {
        this(manager, new ConcurrentHashMap<>());
    }

    private SharedSessionCache(SessionManager manager, ConcurrentMap<String, ManagedSession> sessions) {
        super(manager, sessions);
        this.sessions = sessions;
        setEvictionPolicy(SessionCache.EVICT_ON_SESSION_EXIT);
        setFlushOnResponseCommit(true);
        setSaveOnCreate(false); // the first response's commit saves it
        setRemoveUnloadableSessions(false);
        setInvalidateOnShutdown(false); // a worker that stops (reload, scale down) leaves its sessions to the others
        setSaveOnInactiveEviction(false);
    }

    /**
     * Before the response goes to the client, saves the session if anything of its record moved, including the last
     * access (Jetty on its own flushes here only when an attribute changed), so the client's next request, on any
     * worker, finds what this one did.
     */
    @Override
    public void commit(ManagedSession session) throws Exception {
        if (session != null && session.getSessionData() instanceof SharedSessionData data
                && data.changedSinceStored()) {
            data.setDirty(true);
        }
        super.commit(session);
    }

    /**
     * As the context stops: saves the sessions requests still use, as Jetty does, but passes over one such a request
     * released meanwhile (it saved it and dropped it; Jetty 12.0 would fail the stop on it, "not resident"). Sessions
     * stay valid: the other workers go on serving them.
     */
    @Override
    public void shutdown() {
        for (ManagedSession session : sessions.values()) {
            try (AutoLock ignored = session.lock()) {
                if (!session.isResident()) {
                    continue;
                }
                if (_sessionDataStore.isPassivating()) {
                    session.onSessionPassivation();
                }
                try {
                    _sessionDataStore.store(session.getId(), session.getSessionData());
                } catch (Exception e) {
                    // the store's failures are logged where they happen (SharedSessionDataStore); stop the others
                }
                session.setResident(false);
                doDelete(session.getId());
            }
        }
    }

    /** A session that could not leave the store (see {@link StoreUnavailable}) still leaves this worker's memory. */
    @Override
    public ManagedSession delete(String id) throws Exception {
        try {
            return super.delete(id);
        } catch (StoreUnavailable e) {
            ManagedSession session = doDelete(id);
            if (session != null) {
                session.setResident(false);
            }
            throw e;
        }
    }
}
