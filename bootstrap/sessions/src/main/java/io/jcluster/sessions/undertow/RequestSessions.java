package io.jcluster.sessions.undertow;

import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sessions one exchange asked one manager for (an attachment of the exchange): each id is looked up once per
 * request, a session created in this request answers every later lookup (as Undertow's NEW_SESSION attachment does),
 * and all of them are saved before the response is committed and again, if they changed since, when the exchange
 * completes.
 */
final class RequestSessions implements ResponseCommitListener, ExchangeCompletionListener {

    private final SharedManager manager;
    /** By id: the session this request uses, or null when the id names no session (absent, invalidated). */
    private final Map<String, SharedSession> byId = new HashMap<>(4);
    private SharedSession created;
    private boolean listening;

    RequestSessions(SharedManager manager) {
        this.manager = manager;
    }

    synchronized boolean knows(String id) {
        return byId.containsKey(id);
    }

    /** What this request found for {@code id}; null when absent or invalidated. */
    synchronized SharedSession get(String id) {
        return byId.get(id);
    }

    synchronized void put(String id, SharedSession session) {
        byId.put(id, session);
    }

    /** The session this request created, while it is valid. */
    synchronized SharedSession created() {
        return created != null && !created.isInvalid() ? created : null;
    }

    synchronized void created(SharedSession session) {
        created = session;
        byId.put(session.getId(), session);
    }

    synchronized void gone(SharedSession session, String id) {
        byId.put(id, null);
        if (created == session) {
            created = null;
        }
    }

    synchronized void renamed(SharedSession session, String oldId, String newId) {
        byId.put(oldId, null);
        byId.put(newId, session);
    }

    synchronized List<SharedSession> sessions() {
        List<SharedSession> sessions = new ArrayList<>(byId.size());
        for (SharedSession session : byId.values()) {
            if (session != null && !sessions.contains(session)) {
                sessions.add(session);
            }
        }
        return sessions;
    }

    /**
     * Saves before the response is committed where the exchange still allows it; at the exchange's end in any case.
     * Undertow takes a commit listener only before the response channel exists, and a completion listener only
     * before the exchange is complete.
     */
    void listen(HttpServerExchange exchange) {
        synchronized (this) {
            if (listening) {
                return;
            }
            listening = true;
        }
        try {
            exchange.addResponseCommitListener(this);
        } catch (IllegalStateException late) {
            // the response channel exists: the app asked for the session while answering; saved at the end
        }
        try {
            exchange.addExchangeCompleteListener(this);
        } catch (IllegalStateException late) {
            // Undertow's own end-of-request call (requestDone) saves it
        }
    }

    @Override
    public void beforeCommit(HttpServerExchange exchange) {
        manager.save(exchange, this);
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        try {
            manager.save(exchange, this);
        } finally {
            next.proceed();
        }
    }
}
