package io.jcluster.agent.supervisor;

/**
 * How many times a worker id's process was recycled, by reason: max-requests (its request or connection count) and
 * max-age. Each recycle is also one of its restarts; these say which restarts were recycles.
 */
public record Recycles(long maxRequests, long maxAge) {

    public static final Recycles NONE = new Recycles(0, 0);

    Recycles plus(Recycles other) {
        return new Recycles(maxRequests + other.maxRequests, maxAge + other.maxAge);
    }
}
