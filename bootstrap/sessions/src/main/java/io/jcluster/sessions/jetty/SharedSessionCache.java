package io.jcluster.sessions.jetty;

import org.eclipse.jetty.session.DefaultSessionCache;
import org.eclipse.jetty.session.ManagedSession;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.session.SessionManager;

/**
 * Jetty's own cache, holding a session only while requests use it: the first request loads it from the store,
 * requests that overlap on this worker share that one object (as Jetty does), and the last one to leave saves it and
 * drops it. The next request loads whatever the store has then, which another worker may have written.
 */
final class SharedSessionCache extends DefaultSessionCache {

    SharedSessionCache(SessionManager manager) {
        super(manager);
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
