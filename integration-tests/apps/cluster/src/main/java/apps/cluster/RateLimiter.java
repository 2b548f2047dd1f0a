package apps.cluster;

import io.jcluster.Cluster;
import io.jcluster.SharedMap;

import java.time.Duration;

/**
 * A fixed-window rate limiter shared by every worker: at most {@code limit} requests per client per window, however
 * the balancer spreads them. One counter per client and window; it expires on its own after the window.
 */
final class RateLimiter {

    private final SharedMap windows = Cluster.map("rate-limits");
    private final int limit;
    private final long windowMillis;

    RateLimiter(int limit, Duration window) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
    }

    /** Counts a request of {@code client}; true if it is within the limit. */
    boolean allow(String client) {
        long window = System.currentTimeMillis() / windowMillis;
        String key = client + "@" + window;
        // the first request of a window creates its counter with a TTL; increment keeps that TTL
        windows.putIfAbsent(key, "0", Duration.ofMillis(2 * windowMillis));
        return windows.increment(key, 1) <= limit;
    }

    int limit() {
        return limit;
    }

    long windowMillis() {
        return windowMillis;
    }
}
