package io.jcluster.agent.config;

import java.time.Duration;

/**
 * When a worker is replaced although nothing is wrong with it (Gunicorn's max-requests, max-requests-jitter and
 * max-age): a slow leak in the app is then bounded by the work or the time one process sees. A worker is replaced as
 * in a reload step: its replacement ready first, one at a time.
 *
 * @param maxRequests the requests (mode=http) or connections (mode=tcp) the parent passes a worker before it is
 *                    replaced; 0 when off
 * @param jitter      each worker's limit is maxRequests plus a random 0..jitter, so that workers started together are
 *                    not all due together
 * @param maxAge      how long a worker may serve before it is replaced; zero when off
 */
public record RecycleOptions(long maxRequests, long jitter, Duration maxAge) {

    public static final RecycleOptions OFF = new RecycleOptions(0, 0, Duration.ZERO);

    public boolean byRequests() {
        return maxRequests > 0;
    }

    public boolean byAge() {
        return !maxAge.isZero();
    }
}
