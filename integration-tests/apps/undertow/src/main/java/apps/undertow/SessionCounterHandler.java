package apps.undertow;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.InMemorySessionManager;
import io.undertow.server.session.Session;
import io.undertow.server.session.SessionAttachmentHandler;
import io.undertow.server.session.SessionConfig;
import io.undertow.server.session.SessionCookieConfig;
import io.undertow.server.session.SessionManager;
import io.undertow.util.Headers;

import java.util.Deque;
import java.util.Map;

/**
 * GET /session-count: a session counter on Undertow's core session API (SessionAttachmentHandler,
 * InMemorySessionManager, SessionCookieConfig), for sessions=shared. Answers {@code count=N worker=W}: N the
 * session's "count" after this request, W the worker (-Djcluster.worker.id). {@code ?invalidate} invalidates the
 * session, {@code ?local} also stores an attribute that is not serializable, {@code ?timeout=N} sets its max
 * inactive interval to N seconds.
 */
final class SessionCounterHandler implements HttpHandler {

    /** Not Serializable: a session holding one cannot be shared. */
    static final class Unshareable {
        @Override
        public String toString() {
            return "an unshareable value";
        }
    }

    static HttpHandler create() {
        return new SessionAttachmentHandler(new SessionCounterHandler(), new InMemorySessionManager("session-counter"),
                new SessionCookieConfig());
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this); // the session store may block
            return;
        }
        String worker = System.getProperty("jcluster.worker.id", "-");
        SessionManager sessions = exchange.getAttachment(SessionManager.ATTACHMENT_KEY);
        SessionConfig config = exchange.getAttachment(SessionConfig.ATTACHMENT_KEY);
        Session session = sessions.getSession(exchange, config);
        if (session == null) {
            session = sessions.createSession(exchange, config);
        }
        Map<String, Deque<String>> query = exchange.getQueryParameters();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (query.containsKey("invalidate")) {
            session.invalidate(exchange);
            exchange.getResponseSender().send("invalidated worker=" + worker + "\n");
            return;
        }
        Integer count = (Integer) session.getAttribute("count");
        int next = count == null ? 1 : count + 1;
        session.setAttribute("count", next);
        if (query.containsKey("timeout")) {
            session.setMaxInactiveInterval(Integer.parseInt(query.get("timeout").getFirst()));
        }
        if (query.containsKey("local")) {
            session.setAttribute("local", new Unshareable());
        }
        exchange.getResponseSender().send("count=" + next + " worker=" + worker + "\n");
    }
}
