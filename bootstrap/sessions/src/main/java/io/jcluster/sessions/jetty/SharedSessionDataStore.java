package io.jcluster.sessions.jetty;

import io.jcluster.bootstrap.SharedSessions;
import io.jcluster.sessions.RateLimitedLog;
import io.jcluster.sessions.SessionRecord;
import org.eclipse.jetty.server.Context;
import org.eclipse.jetty.session.AbstractSessionDataStore;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;

import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jetty's documented extension point for where sessions live (a SessionDataStore), over the cluster's store: each
 * session is one {@link SessionRecord}. A session that cannot be shared (an attribute that is not serializable, a
 * record larger than max-message) stays in {@link #local}, this worker's memory only, and its record leaves the
 * store so that no other worker serves an older copy of it.
 */
final class SharedSessionDataStore extends AbstractSessionDataStore {

    private final SharedSessions.Store store;
    /** Store failures, one line per request that meets one, would flood the log while the store is down. */
    private final RateLimitedLog failures;
    /** Sessions only this worker has, by id: the live data, attribute objects and all. */
    private final Map<String, SessionData> local = new ConcurrentHashMap<>();
    /** The context's path (and virtual host, if it has one): the store's first key. */
    private volatile String contextKey = "";
    private volatile ClassLoader webAppLoader;

    SharedSessionDataStore(SharedSessions.Store store) {
        this.store = store;
        this.failures = new RateLimitedLog(store::log, System::nanoTime);
    }

    @Override
    public void initialize(SessionContext context) throws Exception {
        super.initialize(context);
        Context server = context.getContext();
        String path = server == null ? "/" : server.getContextPath();
        String vhost = context.getVhost();
        contextKey = vhost == null || SessionContext.NULL_VHOST.equals(vhost) ? path : vhost + path;
        ClassLoader loader = server == null ? null : server.getClassLoader();
        webAppLoader = loader != null ? loader : Thread.currentThread().getContextClassLoader();
    }

    String contextKey() {
        return contextKey;
    }

    /** Whether this worker keeps the session in its own memory only. */
    boolean isLocal(String id) {
        return local.containsKey(id);
    }

    @Override
    public SessionData newSessionData(String id, long created, long accessed, long lastAccessed, long maxInactiveMs) {
        return new SharedSessionData(id, _context.getCanonicalContextPath(), _context.getVhost(), created, accessed,
                lastAccessed, maxInactiveMs);
    }

    /** Serialized: HttpSessionActivationListeners hear of it, as with Jetty's own persistent stores. */
    @Override
    public boolean isPassivating() {
        return true;
    }

    /**
     * Skips a save that would write what the store (or, for a session kept here, this worker's memory) already has:
     * Jetty saves again as the last request leaves a session, because it moved the expiry by the request's
     * duration, which the record does not hold (it counts from the last access).
     */
    @Override
    public void store(String id, SessionData data) throws Exception {
        boolean unchanged = local.containsKey(id)
                ? !data.isDirty() && data.getLastSaved() > 0
                : data instanceof SharedSessionData shared && !shared.changedSinceStored();
        if (!unchanged) {
            super.store(id, data);
        }
    }

    @Override
    public SessionData doLoad(String id) {
        SessionData kept = local.get(id);
        if (kept != null) {
            return kept;
        }
        byte[] bytes;
        try {
            bytes = store.load(contextKey, id);
        } catch (RuntimeException e) {
            failures.log("sessions=shared: jetty context '" + contextKey + "': the store did not answer a session load ("
                    + e + "); the request fails (500) rather than start the client a new, empty session");
            throw new StoreUnavailable("loading a session", e);
        }
        if (bytes == null) {
            return null;
        }
        try {
            SessionRecord record = SessionRecord.decode(bytes);
            if (!record.id().equals(id)) {
                throw new IOException("the record under this id names another session");
            }
            return toData(record);
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            failures.log("sessions=shared: jetty context '" + contextKey + "': a stored session cannot be read (" + e
                    + "); it counts as absent, and the client gets a new session");
            return null;
        }
    }

    private SessionData toData(SessionRecord record) throws IOException, ClassNotFoundException {
        long maxInactiveMs = record.maxInactiveSeconds() < 0 ? -1 : record.maxInactiveSeconds() * 1000L;
        SharedSessionData data = (SharedSessionData) newSessionData(record.id(), record.creationTime(),
                record.lastAccessedTime(), record.lastAccessedTime(), maxInactiveMs);
        for (Map.Entry<String, byte[]> attribute : record.attributes().entrySet()) {
            data.setAttribute(attribute.getKey(), SessionRecord.deserialize(attribute.getValue(), webAppLoader));
        }
        // the session expires counting from its last access, not from now (the constructor's default)
        data.calcAndSetExpiry(record.lastAccessedTime());
        // saved before: not a new session; no cookie time is stored, so a refresh (if configured) is never late
        data.setLastSaved(Math.max(1, record.lastAccessedTime()));
        data.setCookieSet(0);
        data.clean();
        data.stored();
        return data;
    }

    @Override
    public void doStore(String id, SessionData data, long lastSaveTime) {
        Map<String, byte[]> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, Object> attribute : data.getAllAttributes().entrySet()) {
            try {
                attributes.put(attribute.getKey(), SessionRecord.serialize(attribute.getKey(), attribute.getValue()));
            } catch (SessionRecord.Unshareable e) {
                keepLocal(id, data, e.getMessage());
                return;
            }
        }
        long maxInactiveMs = data.getMaxInactiveMs();
        int maxInactiveSeconds = maxInactiveMs < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, maxInactiveMs / 1000);
        byte[] record = new SessionRecord(id, data.getCreated(), data.getAccessed(), maxInactiveSeconds, attributes)
                .encode();
        long keepSeconds = maxInactiveSeconds <= 0 ? 0 : maxInactiveSeconds + 60L;
        try {
            if (!store.save(contextKey, id, record, keepSeconds)) { // larger than max-message: counted and warned
                keepLocal(id, data, null);
                return;
            }
            local.remove(id);
        } catch (RuntimeException e) {
            failures.log("sessions=shared: jetty context '" + contextKey + "': the store did not take a session (" + e
                    + "); the response goes on, the session keeps its previous stored state");
        }
        if (data instanceof SharedSessionData shared) {
            shared.stored();
        }
    }

    /** @param reason what to warn about, or null when the store has warned already */
    private void keepLocal(String id, SessionData data, String reason) {
        if (local.put(id, data) == null) {
            if (reason != null) {
                store.keptLocal("jetty", contextKey, reason);
            }
            try {
                store.remove(contextKey, id); // an older, shareable copy must not be found by another worker
            } catch (RuntimeException e) {
                failures.log("sessions=shared: jetty context '" + contextKey + "': the store did not forget the shared"
                        + " copy of a session that now stays on this worker (" + e + ")");
            }
        }
    }

    @Override
    public boolean delete(String id) {
        local.remove(id);
        try {
            store.remove(contextKey, id);
        } catch (RuntimeException e) {
            failures.log("sessions=shared: jetty context '" + contextKey + "': the store did not remove an invalidated"
                    + " session (" + e + "); the request fails (500): other workers would still find the session");
            throw new StoreUnavailable("removing a session", e);
        }
        return true;
    }

    @Override
    public boolean doExists(String id) {
        SessionData kept = local.get(id);
        if (kept != null) {
            return !kept.isExpiredAt(System.currentTimeMillis());
        }
        try {
            byte[] bytes = store.load(contextKey, id);
            if (bytes == null) {
                return false;
            }
            SessionRecord record = SessionRecord.decode(bytes);
            return record.maxInactiveSeconds() <= 0
                    || record.lastAccessedTime() + record.maxInactiveSeconds() * 1000L > System.currentTimeMillis();
        } catch (IOException | RuntimeException e) {
            return false; // an unreadable record is no session; a store that does not answer fails the load itself
        }
    }

    /**
     * Jetty's scavenger asks this at each run; the sessions kept on this worker that have expired are answered every
     * time (Jetty's own {@link #doGetExpired} schedule is once per grace period, an hour), so their
     * {@code sessionDestroyed} fires and their memory goes soon after they expire.
     */
    @Override
    public Set<String> getExpired(Set<String> candidates) {
        Set<String> expired = new HashSet<>(super.getExpired(candidates));
        expired.addAll(doGetExpired(System.currentTimeMillis()));
        return expired;
    }

    @Override
    public Set<String> doCheckExpired(Set<String> candidates, long time) {
        Set<String> expired = new HashSet<>();
        for (String id : candidates) {
            SessionData kept = local.get(id);
            if (kept != null && kept.isExpiredAt(time)) {
                expired.add(id);
            }
        }
        return expired;
    }

    @Override
    public Set<String> doGetExpired(long before) {
        Set<String> expired = new HashSet<>();
        local.forEach((id, data) -> {
            if (data.isExpiredAt(before)) {
                expired.add(id);
            }
        });
        return expired;
    }

    /** The store forgets records by itself: each is saved with a time to live (the session's timeout + 60 s). */
    @Override
    public void doCleanOrphans(long time) {
    }
}
