package io.jcluster.agent.http;

import io.jcluster.agent.balancer.Backend;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;

import java.util.List;

/** Which worker a request must go to because of an earlier one (sticky=...), and what to remember of a response. */
interface Stickiness {

    /** @return the backend the request is pinned to, if it is among {@code backends}; else null */
    Backend route(HttpRequest request, Backend[] backends);

    /** Called with each response head before it goes to the client. */
    void learn(HttpRequest request, HttpResponse response, Backend served, boolean secure);

    Stickiness NONE = new Stickiness() {
        @Override
        public Backend route(HttpRequest request, Backend[] backends) {
            return null;
        }

        @Override
        public void learn(HttpRequest request, HttpResponse response, Backend served, boolean secure) {
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
    static String cookie(HttpRequest request, String name) {
        List<String> headers = request.headers().getAll(HttpHeaderNames.COOKIE);
        for (int i = headers.size() - 1; i >= 0; i--) {
            String header = headers.get(i);
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
