package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.MessageHead;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;

/**
 * Which worker a request must go to because of an earlier one (sticky=...), and what to remember of a response.
 * The request's sticky cookie is read once, while its head is at hand ({@link #cookie}); the rest works on that value.
 */
public interface Stickiness {

    /** The value of the request's sticky cookie, or null (also when stickiness is off: then nothing is scanned). */
    String cookie(MessageHead request);

    /** @return the backend a request with this cookie value is pinned to, if it is among {@code backends}; else null */
    Backend route(String cookie, Backend[] backends);

    /**
     * Called with each final response head before it goes to the client.
     *
     * @return a Set-Cookie value to add to the response, or null
     */
    String learn(String requestCookie, MessageHead response, Backend served, boolean secure);

    Stickiness NONE = new Stickiness() {
        @Override
        public String cookie(MessageHead request) {
            return null;
        }

        @Override
        public Backend route(String cookie, Backend[] backends) {
            return null;
        }

        @Override
        public String learn(String requestCookie, MessageHead response, Backend served, boolean secure) {
            return null;
        }
    };

    /** sticky=off, sticky=cookie, or sticky=COOKIE_NAME. */
    static Stickiness of(String option) {
        switch (option) {
            case "off":
                return NONE;
            case "cookie":
                return new WorkerCookie(WorkerCookie.DEFAULT_NAME);
            default:
                return new LearnedSessions(option);
        }
    }

    /** The value of the request's cookie {@code name}, or null. */
    public static String cookie(MessageHead request, String name) {
        for (int i = request.count() - 1; i >= 0; i--) {
            if (request.kind(i) != MessageHead.COOKIE) {
                continue;
            }
            String header = request.value(i);
            if (!header.contains(name)) {
                continue; // most requests carry other cookies only: skip decoding those
            }
            for (Cookie cookie : ServerCookieDecoder.LAX.decode(header)) {
                if (cookie.name().equals(name)) {
                    return cookie.value();
                }
            }
        }
        return null;
    }

    static Backend byOwner(Backend[] backends, int owner) {
        for (Backend backend : backends) {
            if (backend.owner() == owner) {
                return backend;
            }
        }
        return null;
    }
}
