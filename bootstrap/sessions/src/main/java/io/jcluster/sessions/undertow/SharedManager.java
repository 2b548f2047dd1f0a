package io.jcluster.sessions.undertow;

import io.jcluster.bootstrap.SharedSessions;
import io.jcluster.sessions.SessionRecord;
import io.undertow.UndertowMessages;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.InMemorySessionManager;
import io.undertow.server.session.SessionConfig;
import io.undertow.server.session.SessionIdGenerator;
import io.undertow.server.session.SessionListener.SessionDestroyedReason;
import io.undertow.server.session.SessionListeners;
import io.undertow.server.session.SessionManager;
import io.undertow.util.AttachmentKey;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Answers the session calls of one Undertow InMemorySessionManager (the advice asks through
 * {@code io.jcluster.bootstrap.SessionCalls} before Undertow's own code runs): createSession and both getSession
 * make and find {@link SharedSession}s, whose records the shared store holds, instead of Undertow's in-memory ones.
 * The manager keeps its listeners, id generator and default timeout, which this reads from it; its own map stays
 * empty. A session that cannot be stored stays here, in this worker's memory only.
 */
final class SharedManager implements BiFunction<String, Object[], Object> {

    /** The longest session id the store is asked about; ids come from a client's cookie. */
    static final int MAX_ID_LENGTH = 256;
    /** One line per kind of store failure at most this often: a store that is down must not flood the log. */
    private static final long FAILURE_LOG_MILLIS = 10_000;

    private final WeakReference<InMemorySessionManager> manager;
    private final String context;
    private final SharedSessions.Store store;
    private final Field listeners;
    private final Field ids;
    private final Field defaultTimeout;
    /** Sessions that could not be stored, by id: they live here as Undertow's own would. */
    private final ConcurrentMap<String, SharedSession> local = new ConcurrentHashMap<>();
    private final AttachmentKey<RequestSessions> requestKey = AttachmentKey.create(RequestSessions.class);
    private final AtomicLong lastFailureLog = new AtomicLong();
    private final AtomicLong unloggedFailures = new AtomicLong();

    SharedManager(InMemorySessionManager manager, SharedSessions.Store store) throws ReflectiveOperationException {
        this.manager = new WeakReference<>(manager);
        this.context = manager.getDeploymentName();
        this.store = store;
        this.listeners = field("sessionListeners");
        this.ids = field("sessionIdGenerator");
        this.defaultTimeout = field("defaultSessionTimeout");
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field field = InMemorySessionManager.class.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    String context() {
        return context;
    }

    /** The calls the advice hands over; null leaves a call to Undertow's own code. */
    @Override
    public Object apply(String method, Object[] arguments) {
        switch (method) {
            case "createSession":
                return Optional.of(createSession((HttpServerExchange) arguments[0], (SessionConfig) arguments[1]));
            case "getSession":
                if (arguments.length == 1) {
                    return Optional.ofNullable(getSession((String) arguments[0]));
                }
                return Optional.ofNullable(getSession((HttpServerExchange) arguments[0], (SessionConfig) arguments[1]));
            case "stop":
                stop();
                return null;
            default:
                return null;
        }
    }

    // ---- SessionManager, as the app calls it ----

    SharedSession createSession(HttpServerExchange exchange, SessionConfig config) {
        if (config == null) {
            throw UndertowMessages.MESSAGES.couldNotFindSessionCookieConfig();
        }
        RequestSessions request = request(exchange);
        String requested = config.findSessionId(exchange);
        String id;
        if (requested != null && (request.get(requested) != null || local.containsKey(requested))) {
            throw UndertowMessages.MESSAGES.sessionWithIdAlreadyExists(requested);
        } else if (requested != null && !fromClient(config, exchange) && acceptableId(requested)) {
            id = requested; // the servlet layer's cross-context session: the id of the top-level one
        } else {
            id = newId();
        }
        SharedSession session = SharedSession.created(this, id, defaultTimeout(), config, System.currentTimeMillis());
        request.created(session);
        config.setSessionId(exchange, id);
        listeners().sessionCreated(session, exchange);
        request.listen(exchange);
        return session;
    }

    /**
     * Whether the id the config finds came from the client (a cookie, the URL, the TLS session). Undertow's own
     * manager gives a new session the id the client sent, if no session has it; here a client never chooses the
     * id of a session in the cluster's store: a new session always gets a new id.
     */
    private static boolean fromClient(SessionConfig config, HttpServerExchange exchange) {
        SessionConfig.SessionCookieSource source = config.sessionCookieSource(exchange);
        return source != SessionConfig.SessionCookieSource.NONE && source != SessionConfig.SessionCookieSource.OTHER;
    }

    SharedSession getSession(HttpServerExchange exchange, SessionConfig config) {
        if (config == null) {
            throw UndertowMessages.MESSAGES.couldNotFindSessionCookieConfig();
        }
        if (exchange == null) {
            return find(config.findSessionId(null), null, config); // outside a request (servlet's session accessor)
        }
        RequestSessions request = exchange.getAttachment(requestKey);
        if (request != null && request.created() != null) {
            return request.created();
        }
        String id = config.findSessionId(exchange);
        if (id == null) {
            return null;
        }
        if (request != null && request.knows(id)) {
            return request.get(id);
        }
        if (exchange.isResponseComplete()) {
            // Undertow's end-of-request touch (SessionAttachmentHandler's completion listener, the servlet layer's
            // responseDone) of a session this request never asked for: not worth a load and a save
            return null;
        }
        SharedSession session = find(id, exchange, config);
        request = request(exchange);
        request.put(id, session);
        if (session != null) {
            request.listen(exchange);
        }
        return session;
    }

    SharedSession getSession(String id) {
        return find(id, null, null);
    }

    /** The manager stops (undeploy, server stop): the sessions only this worker holds end, as Undertow's do. */
    void stop() {
        for (SharedSession session : List.copyOf(local.values())) {
            session.destroy(null, SessionDestroyedReason.UNDEPLOY);
        }
        local.clear();
    }

    // ---- loading ----

    /**
     * The session of {@code id}: this worker's own if it holds it (a local one), else the store's record. A record
     * past its timeout is expired here (sessionDestroyed fires on this worker) and removed.
     *
     * @throws IllegalStateException when the store fails: the request fails rather than go on without its session
     */
    private SharedSession find(String id, HttpServerExchange exchange, SessionConfig config) {
        if (!acceptableId(id)) {
            return null;
        }
        long now = System.currentTimeMillis();
        SharedSession held = local.get(id);
        if (held != null) {
            if (held.expiredAt(now)) {
                held.destroy(exchange, SessionDestroyedReason.TIMEOUT);
                return null;
            }
            if (exchange != null) {
                held.accessed(now);
            }
            return held;
        }
        byte[] bytes;
        try {
            bytes = store.load(context, id);
        } catch (RuntimeException e) {
            failed("load a session (this request fails rather than go on without its session)", e);
            throw new IllegalStateException("jcluster sessions=shared: the session store failed (" + e
                    + "); this request fails rather than go on without its session", e);
        }
        if (bytes == null) {
            return null;
        }
        SessionRecord record;
        try {
            record = SessionRecord.decode(bytes);
        } catch (IOException e) {
            store.log(prefix() + "a stored session is not a session record (" + e.getMessage()
                    + "); it is treated as absent");
            return null;
        }
        if (!record.id().equals(id)) {
            store.log(prefix() + "a stored session holds another session's id; it is treated as absent");
            return null;
        }
        Map<String, Object> attributes = attributes(record);
        if (attributes == null) {
            return null;
        }
        SharedSession session = SharedSession.loaded(this, record, attributes, config, now);
        if (SharedSession.expired(record.lastAccessedTime(), record.maxInactiveSeconds(), now)) {
            session.destroy(exchange, SessionDestroyedReason.TIMEOUT);
            return null;
        }
        return session;
    }

    /** The record's attributes, read with the web app's classes; null (said once here) when one cannot be read. */
    private Map<String, Object> attributes(SessionRecord record) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            InMemorySessionManager owner = manager.get();
            loader = owner == null ? ClassLoader.getSystemClassLoader() : owner.getClass().getClassLoader();
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> attribute : record.attributes().entrySet()) {
            try {
                attributes.put(attribute.getKey(), SessionRecord.deserialize(attribute.getValue(), loader));
            } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
                store.log(prefix() + "attribute '" + attribute.getKey() + "' of a stored session cannot be read with"
                        + " this app's classes (" + e + "); the session is treated as absent");
                return null;
            }
        }
        return attributes;
    }

    // ---- saving ----

    /** Before the response is committed, and when the exchange completes: every session this request used. */
    void save(HttpServerExchange exchange, RequestSessions request) {
        for (SharedSession session : request.sessions()) {
            save(session, exchange);
        }
    }

    /** Undertow's end-of-request call on a session: saves what the listeners could not (a late lookup). */
    void requestDone(HttpServerExchange exchange) {
        RequestSessions request = exchange.getAttachment(requestKey);
        if (request != null) {
            save(exchange, request);
        }
    }

    /** A session found outside a request is done with: saved as a request's would be. */
    void detachedDone(SharedSession session) {
        save(session, null);
    }

    /**
     * Writes the session's record unless it is already there as it is now. One that cannot be stored stays in this
     * worker's memory, said once; one that can again goes back to the store.
     */
    private void save(SharedSession session, HttpServerExchange exchange) {
        if (session.isInvalid() || session.destroyed()) {
            return;
        }
        byte[] record;
        try {
            record = session.record();
        } catch (SessionRecord.Unshareable e) {
            keepLocal(session, exchange, e.getMessage());
            return;
        }
        if (session.alreadySaved(record)) {
            return;
        }
        String id = session.getId();
        if (!acceptableId(id)) {
            keepLocal(session, exchange, "the app's session id generator made an id the store cannot key (more than "
                    + MAX_ID_LENGTH + " characters, or not printable ASCII)");
            return;
        }
        if (session.isLocal() && record.length >= session.refusedSize()) {
            session.keepLocal(exchange); // not smaller than what the store refused: asking again would count again
            return;
        }
        boolean stored;
        try {
            stored = store.save(context, id, record, keepSeconds(session.maxInactive()));
        } catch (RuntimeException e) {
            failed("save a session (the response goes on; the session's changes of this request are lost)", e);
            return;
        }
        if (!stored) {
            session.refused(record.length);
            keepLocal(session, exchange, null); // too large: the store counted and said so
            return;
        }
        session.saved(record);
        if (session.isLocal()) {
            local.remove(id, session);
            session.shared();
        }
    }

    /** keepSeconds of the store: the timeout and a minute, so the store never drops a live session; 0 never. */
    static long keepSeconds(int maxInactiveSeconds) {
        return maxInactiveSeconds > 0 ? maxInactiveSeconds + 60L : 0;
    }

    private void keepLocal(SharedSession session, HttpServerExchange exchange, String reason) {
        boolean already = session.isLocal();
        session.keepLocal(exchange);
        if (already) {
            return;
        }
        if (reason != null) {
            store.keptLocal("undertow", context, reason);
        }
        local.put(session.getId(), session);
        try {
            store.remove(context, session.getId()); // no other worker may serve the copy stored before
        } catch (RuntimeException e) {
            failed("remove the stored copy of a session kept in this worker", e);
        }
    }

    // ---- what sessions tell their manager ----

    /** The session is destroyed (invalidated, timed out, undeployed): gone from the store, listeners hear it. */
    void destroyed(SharedSession session, HttpServerExchange exchange, SessionDestroyedReason reason) {
        String id = session.getId();
        boolean wasLocal = session.isLocal() && local.remove(id, session);
        if (!wasLocal && reason != SessionDestroyedReason.UNDEPLOY) {
            try {
                store.remove(context, id);
            } catch (RuntimeException e) {
                failed("remove a session that ended (it stays in the store until it times out there)", e);
            }
        }
        if (exchange != null) {
            RequestSessions request = exchange.getAttachment(requestKey);
            if (request != null) {
                request.gone(session, id);
            }
        }
        listeners().sessionDestroyed(session, exchange, reason);
    }

    void expireLocal(SharedSession session) {
        session.destroy(null, SessionDestroyedReason.TIMEOUT);
    }

    String changeId(SharedSession session, HttpServerExchange exchange, SessionConfig config) {
        String oldId = session.getId();
        String newId = newId();
        session.renamed(newId);
        if (session.isLocal()) {
            local.remove(oldId, session);
            local.put(newId, session);
        } else {
            try {
                store.remove(context, oldId); // saved under its new id when this request is done
            } catch (RuntimeException e) {
                failed("remove a session's old id", e);
            }
        }
        config.setSessionId(exchange, newId);
        RequestSessions request = exchange.getAttachment(requestKey);
        if (request == null) {
            request = request(exchange);
        }
        request.renamed(session, oldId, newId);
        request.listen(exchange);
        listeners().sessionIdChanged(session, oldId);
        return newId;
    }

    /** How many sessions only this worker holds. */
    int localCount() {
        return local.size();
    }

    SessionManager manager() {
        return manager.get();
    }

    /** The manager's own listeners (the servlet layer registers its bridge there). */
    SessionListeners listeners() {
        InMemorySessionManager owner = manager.get();
        try {
            return owner == null ? new SessionListeners() : (SessionListeners) listeners.get(owner);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private int defaultTimeout() {
        try {
            return defaultTimeout.getInt(manager.get());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new id from the manager's generator (the app's, for a servlet deployment that set one). */
    private String newId() {
        SessionIdGenerator generator;
        try {
            generator = (SessionIdGenerator) ids.get(manager.get());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < 100; i++) {
            String id = generator.createSessionId();
            if (!local.containsKey(id)) {
                return id;
            }
        }
        throw UndertowMessages.MESSAGES.couldNotGenerateUniqueSessionId();
    }

    private RequestSessions request(HttpServerExchange exchange) {
        RequestSessions request = exchange.getAttachment(requestKey);
        if (request == null) {
            request = new RequestSessions(this);
            exchange.putAttachment(requestKey, request);
        }
        return request;
    }

    /**
     * Whether the store may be asked about {@code id}: the id comes from the client's cookie, so it is bounded and
     * printable ASCII without spaces (the store's key is the context, a space, and the id).
     */
    static boolean acceptableId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private String prefix() {
        return "sessions=shared: undertow '" + context + "': ";
    }

    /** One line per {@link #FAILURE_LOG_MILLIS} at most, counting the failures in between. */
    private void failed(String what, RuntimeException e) {
        long now = System.currentTimeMillis();
        long last = lastFailureLog.get();
        if (now - last < FAILURE_LOG_MILLIS || !lastFailureLog.compareAndSet(last, now)) {
            unloggedFailures.incrementAndGet();
            return;
        }
        long more = unloggedFailures.getAndSet(0);
        store.log(prefix() + "the session store failed to " + what + ": " + e
                + (more > 0 ? " (and " + more + " more store failures since the last such line)" : ""));
    }
}
