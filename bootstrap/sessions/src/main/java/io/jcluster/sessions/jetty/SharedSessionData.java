package io.jcluster.sessions.jetty;

import org.eclipse.jetty.session.SessionData;

import java.io.Serial;

/**
 * Jetty's session data, plus what the cluster store last got of it: a request's save may then be skipped when only
 * Jetty's own bookkeeping (the expiry it moves as a request ends) changed since, not the record.
 */
final class SharedSessionData extends SessionData {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The last access time of the record this worker last wrote or read; 0: none yet. */
    private volatile long storedAccess;

    SharedSessionData(String id, String contextPath, String vhost, long created, long accessed, long lastAccessed,
                      long maxInactiveMs) {
        super(id, contextPath, vhost, created, accessed, lastAccessed, maxInactiveMs);
    }

    /** Whether the record in the store differs from this data: an attribute, the timeout or the last access moved. */
    boolean changedSinceStored() {
        return isDirty() || getLastSaved() <= 0 || getAccessed() != storedAccess;
    }

    void stored() {
        storedAccess = getAccessed();
    }
}
