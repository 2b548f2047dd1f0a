package io.jcluster.sessions.undertow;

import io.jcluster.sessions.SessionRecord;
import io.undertow.UndertowMessages;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.Session;
import io.undertow.server.session.SessionConfig;
import io.undertow.server.session.SessionListener.SessionDestroyedReason;
import io.undertow.server.session.SessionManager;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * One session as the app sees it, in place of Undertow's own (InMemorySessionManager's SessionImpl, which cannot be
 * given an id, a creation time or attributes without firing listeners). A shared one lives for one request: loaded
 * from its record when the request asks for it, saved before the response is committed, then dropped. A local one
 * (it cannot be stored) stays in {@link SharedManager}'s memory like Undertow's own sessions, with their timeout.
 * Listeners fire as Undertow's own session fires them: on create, attribute changes, id change and destroy, never on
 * load.
 */
final class SharedSession implements Session {

    private final SharedManager manager;
    private final long creationTime;
    private final ConcurrentMap<String, Object> attributes;
    /** Clears the cookie on invalidate, as Undertow's session does with the config it was created or found with. */
    private final SessionConfig config;
    private volatile String id;
    /** What {@link #getLastAccessedTime} reports: the previous request's, until this request is done. */
    private volatile long lastAccessedTime;
    /** When this request first asked for the session; the record's last access once saved. */
    private volatile long accessedTime;
    private volatile int maxInactiveInterval;
    private volatile boolean invalidationStarted;
    private volatile boolean invalid;

    // guarded by this
    /** The record as this worker last saved it: an unchanged session is not written twice in one request. */
    private byte[] saved;
    /** Held in this worker's memory only (it could not be stored). */
    private boolean local;
    /** The size of the record the store refused (larger than max-message); MAX_VALUE: none refused. */
    private int refusedSize = Integer.MAX_VALUE;
    private XnioExecutor.Key expiry;
    private XnioIoThread timers;
    private XnioWorker worker;

    private SharedSession(SharedManager manager, String id, long creationTime, long lastAccessedTime,
                          int maxInactiveInterval, Map<String, Object> attributes, SessionConfig config, long now) {
        this.manager = manager;
        this.id = id;
        this.creationTime = creationTime;
        this.lastAccessedTime = lastAccessedTime;
        this.accessedTime = now;
        this.maxInactiveInterval = maxInactiveInterval;
        this.attributes = new ConcurrentHashMap<>(attributes);
        this.config = config;
    }

    /** A session the app creates now. */
    static SharedSession created(SharedManager manager, String id, int maxInactiveInterval, SessionConfig config,
                                 long now) {
        return new SharedSession(manager, id, now, now, maxInactiveInterval, Map.of(), config, now);
    }

    /** A session loaded from its record, with its attributes already deserialized; it is accessed now. */
    static SharedSession loaded(SharedManager manager, SessionRecord record, Map<String, Object> attributes,
                                SessionConfig config, long now) {
        return new SharedSession(manager, record.id(), record.creationTime(), record.lastAccessedTime(),
                record.maxInactiveSeconds(), attributes, config, now);
    }

    /** Whether a session last accessed at {@code lastAccessed} with this timeout has timed out at {@code now}. */
    static boolean expired(long lastAccessed, int maxInactiveSeconds, long now) {
        return maxInactiveSeconds > 0 && now - lastAccessed >= maxInactiveSeconds * 1000L;
    }

    // ---- what the adapter does with it ----

    /** Another request of this worker uses this (local) session. */
    void accessed(long now) {
        accessedTime = now;
    }

    /** Its destruction began (listeners may still be hearing it). */
    boolean destroyed() {
        return invalidationStarted;
    }

    /** Its timeout, readable while it is being destroyed. */
    int maxInactive() {
        return maxInactiveInterval;
    }

    boolean expiredAt(long now) {
        return expired(Math.max(lastAccessedTime, accessedTime), maxInactiveInterval, now);
    }

    /**
     * The session as the store keeps it, or throws naming the attribute that cannot be serialized. Its last access
     * is this request's.
     */
    synchronized byte[] record() throws SessionRecord.Unshareable {
        Map<String, byte[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
            values.put(attribute.getKey(), SessionRecord.serialize(attribute.getKey(), attribute.getValue()));
        }
        return new SessionRecord(id, creationTime, accessedTime, maxInactiveInterval, values).encode();
    }

    synchronized boolean alreadySaved(byte[] record) {
        return saved != null && java.util.Arrays.equals(saved, record);
    }

    synchronized void saved(byte[] record) {
        saved = record;
    }

    synchronized void refused(int size) {
        refusedSize = size;
    }

    synchronized int refusedSize() {
        return refusedSize;
    }

    synchronized boolean isLocal() {
        return local;
    }

    /**
     * Keeps this session in this worker's memory, timing out as Undertow's own sessions do: a timer on the IO thread
     * of the exchange that made it local, checked on a worker thread.
     */
    synchronized void keepLocal(HttpServerExchange exchange) {
        local = true;
        saved = null;
        if (exchange != null && timers == null) {
            timers = exchange.getIoThread();
            worker = exchange.getConnection().getWorker();
        }
        scheduleExpiry();
    }

    /** Shared again (its attributes are serializable again): the store holds it, this worker forgets it. */
    synchronized void shared() {
        local = false;
        refusedSize = Integer.MAX_VALUE;
        cancelExpiry();
    }

    private void scheduleExpiry() {
        if (timers == null || expiry != null || maxInactiveInterval <= 0 || invalidationStarted) {
            return;
        }
        long due = Math.max(lastAccessedTime, accessedTime) + maxInactiveInterval * 1000L;
        long delay = Math.max(1, due - System.currentTimeMillis() + 1);
        expiry = timers.executeAfter(() -> worker.execute(this::checkExpiry), delay, TimeUnit.MILLISECONDS);
    }

    private void checkExpiry() {
        synchronized (this) {
            expiry = null;
            if (!local || invalidationStarted) {
                return;
            }
            if (!expiredAt(System.currentTimeMillis())) {
                scheduleExpiry();
                return;
            }
        }
        manager.expireLocal(this);
    }

    synchronized void cancelExpiry() {
        if (expiry != null) {
            expiry.remove();
            expiry = null;
        }
    }

    /**
     * Destroys this session: it is gone from the store (invalidated or timed out), listeners hear it, then it
     * throws on use. False when it was destroyed before.
     */
    boolean destroy(HttpServerExchange exchange, SessionDestroyedReason reason) {
        synchronized (this) {
            if (invalidationStarted) {
                return false;
            }
            invalidationStarted = true;
            cancelExpiry();
        }
        manager.destroyed(this, exchange, reason);
        // as Undertow's own session: listeners may still read and remove attributes while they hear it
        invalid = true;
        return true;
    }

    void renamed(String newId) {
        synchronized (this) {
            id = newId;
            saved = null;
        }
    }

    // ---- io.undertow.server.session.Session ----

    @Override
    public String getId() {
        return id;
    }

    @Override
    public void requestDone(HttpServerExchange exchange) {
        lastAccessedTime = accessedTime;
        if (exchange == null) {
            manager.detachedDone(this); // found outside a request: saved when its user is done
        } else {
            manager.requestDone(exchange);
        }
    }

    @Override
    public long getCreationTime() {
        checkValid();
        return creationTime;
    }

    @Override
    public long getLastAccessedTime() {
        checkValid();
        return lastAccessedTime;
    }

    @Override
    public void setMaxInactiveInterval(int interval) {
        checkValid();
        synchronized (this) {
            maxInactiveInterval = interval;
            if (local) {
                cancelExpiry();
                scheduleExpiry();
            }
        }
    }

    @Override
    public int getMaxInactiveInterval() {
        checkValid();
        return maxInactiveInterval;
    }

    @Override
    public Object getAttribute(String name) {
        checkValid();
        return attributes.get(name);
    }

    @Override
    public Set<String> getAttributeNames() {
        checkValid();
        return attributes.keySet();
    }

    @Override
    public Object setAttribute(String name, Object value) {
        if (value == null) {
            return removeAttribute(name);
        }
        checkValid();
        Object existing = attributes.put(name, value);
        if (existing == null) {
            manager.listeners().attributeAdded(this, name, value);
        } else {
            manager.listeners().attributeUpdated(this, name, value, existing);
        }
        return existing;
    }

    @Override
    public Object removeAttribute(String name) {
        checkValid();
        Object existing = attributes.remove(name);
        manager.listeners().attributeRemoved(this, name, existing);
        return existing;
    }

    @Override
    public void invalidate(HttpServerExchange exchange) {
        if (!destroy(exchange, SessionDestroyedReason.INVALIDATED)) {
            throw UndertowMessages.MESSAGES.sessionAlreadyInvalidated();
        }
        if (exchange != null) {
            SessionConfig clear = config != null ? config : exchange.getAttachment(SessionConfig.ATTACHMENT_KEY);
            if (clear != null) {
                clear.clearSession(exchange, id);
            }
        }
    }

    @Override
    public SessionManager getSessionManager() {
        return manager.manager();
    }

    @Override
    public String changeSessionId(HttpServerExchange exchange, SessionConfig config) {
        if (invalidationStarted) {
            return null;
        }
        return manager.changeId(this, exchange, config);
    }

    @Override
    public boolean isInvalid() {
        return invalid;
    }

    private void checkValid() {
        if (invalid) {
            throw UndertowMessages.MESSAGES.sessionIsInvalid(id);
        }
    }

    @Override
    public String toString() {
        return "shared session " + id;
    }
}
