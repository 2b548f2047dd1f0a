package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.MessageHead;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;

import java.time.Duration;

/**
 * sticky=JSESSIONID (any cookie name): the app's own session cookie. When a worker's response sets it, the
 * session id is remembered with that worker; requests carrying the id go back there while it is in rotation.
 * Sessions unused for a day are forgotten (the app has expired them by then).
 *
 * <p>The table is bounded by memory, not only by count: whoever can make the app issue sessions (any client, by
 * not sending the cookie back) decides how many ids there are and, if the app derives them from the request, how
 * long. So an id longer than {@link #MAX_ID_LENGTH} is not remembered (its requests are balanced as usual), and
 * the entries' estimated heap ({@link #weight}) is kept under {@link #MAX_BYTES} (Caffeine evicts the entries
 * least likely to be used again).
 */
final class LearnedSessions implements Stickiness {

    /** Session ids are 16-64 characters in the common stacks (Tomcat 32, Jetty ~30, Spring Session 36). */
    static final int MAX_ID_LENGTH = 256;
    /** Bound on the table's heap: about 400,000 sessions of 32-character ids, 170,000 of 256. */
    static final long MAX_BYTES = 64L << 20;
    /**
     * Heap of one entry besides the id's characters: Caffeine's node with its access-order links, the String and
     * its array's header, the hash table's slot. Measured on JDK 17 (compressed oops, Serial GC, 200,000 entries,
     * live heap after a full GC): 156 bytes per entry with 32-character ids, 385 with 256-character ones.
     */
    static final int ENTRY_BYTES = 136;

    private final String name;
    private final Cache<String, Integer> owners;

    LearnedSessions(String name) {
        this(name, MAX_BYTES);
    }

    LearnedSessions(String name, long maxBytes) {
        this.name = name;
        this.owners = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher(LearnedSessions::weight)
                .expireAfterAccess(Duration.ofDays(1))
                .build();
    }

    /** Estimated heap of one entry: session ids are ASCII, one byte per character in a compact String. */
    static int weight(String id, Integer owner) {
        return ENTRY_BYTES + id.length();
    }

    /** Sessions remembered (after pending evictions ran). */
    long size() {
        owners.cleanUp();
        return owners.estimatedSize();
    }

    /** Their estimated heap, by {@link #weight} (after pending evictions ran). */
    long bytes() {
        owners.cleanUp();
        return owners.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    @Override
    public String cookie(MessageHead request) {
        return Stickiness.cookie(request, name);
    }

    @Override
    public Backend route(String session, Backend[] backends) {
        if (session == null || session.length() > MAX_ID_LENGTH) {
            return null; // never learned
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
            } else if (cookie.value().length() <= MAX_ID_LENGTH) {
                owners.put(cookie.value(), served.owner());
            }
        }
        return null;
    }
}
