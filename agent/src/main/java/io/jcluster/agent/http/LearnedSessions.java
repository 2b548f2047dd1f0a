package io.jcluster.agent.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.jcluster.agent.balancer.Backend;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;

import java.time.Duration;

/**
 * sticky=JSESSIONID (any cookie name): the app's own session cookie. When a worker's response sets it, the
 * session id is remembered with that worker; requests carrying the id go back there while it is in rotation.
 * Sessions unused for a day, or beyond the most recent million, are forgotten (the app has expired them by then).
 */
final class LearnedSessions implements Stickiness {

    private final String name;
    private final Cache<String, Integer> owners = Caffeine.newBuilder()
            .maximumSize(1_000_000)
            .expireAfterAccess(Duration.ofDays(1))
            .build();

    LearnedSessions(String name) {
        this.name = name;
    }

    @Override
    public String cookie(MessageHead request) {
        return Stickiness.cookie(request, name);
    }

    @Override
    public Backend route(String session, Backend[] backends) {
        if (session == null) {
            return null;
        }
        Integer owner = owners.getIfPresent(session);
        return owner == null ? null : Stickiness.byOwner(backends, owner);
    }

    @Override
    public String learn(String requestCookie, MessageHead response, Backend served, boolean secure) {
        for (int i = 0; i < response.count(); i++) {
            if (response.kind(i) != MessageHead.SET_COOKIE) {
                continue;
            }
            String header = response.value(i);
            if (!header.contains(name)) {
                continue;
            }
            Cookie cookie = ClientCookieDecoder.LAX.decode(header);
            if (cookie == null || !cookie.name().equals(name)) {
                continue;
            }
            if (cookie.value().isEmpty() || cookie.maxAge() == 0) {
                if (requestCookie != null) { // the app deleted the session cookie
                    owners.invalidate(requestCookie);
                }
            } else {
                owners.put(cookie.value(), served.owner());
            }
        }
        return null;
    }
}
