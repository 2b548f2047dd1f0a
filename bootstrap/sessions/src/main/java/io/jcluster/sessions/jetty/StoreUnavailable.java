package io.jcluster.sessions.jetty;

import java.io.Serial;

/**
 * The store failed to load or to forget a session. An Error and not an Exception on purpose: Jetty turns every
 * Exception of a load into "no such session" ({@code AbstractSessionManager.getManagedSession} catches and logs it),
 * so the client would get a new, empty session (logged out), and every Exception of a removal into a warning, so an
 * invalidation (a logout) would look done while other workers still find the session. An Error passes those catches
 * and Jetty answers the request with a 500; the store's one log line says why.
 */
final class StoreUnavailable extends Error {

    @Serial
    private static final long serialVersionUID = 1L;

    StoreUnavailable(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
