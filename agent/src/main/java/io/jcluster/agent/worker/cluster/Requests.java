package io.jcluster.agent.worker.cluster;

import io.jcluster.ClusterException;
import io.jcluster.agent.control.ClusterFrame;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The worker's requests to the parent that wait for a reply: each gets an id, its caller blocks until the reply with
 * that id arrives, at most the store timeout. A reply that comes after its caller gave up is dropped. When the
 * connection to the parent ends, every waiting caller fails at once instead of waiting out its timeout.
 */
final class Requests {

    private final ToParent toParent;
    private final Duration timeout;
    private final String store;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<ClusterFrame.Reply>> outstanding = new ConcurrentHashMap<>();
    private volatile boolean parentGone;

    /** {@code store} names the store for the timeout's message ("embedded", "redis://host:port"). */
    Requests(ToParent toParent, Duration timeout, String store) {
        this.toParent = toParent;
        this.timeout = timeout;
        this.store = store;
    }

    /**
     * Sends the request {@code build} makes with a fresh id and returns its reply; {@code what} names the operation
     * in exception messages ("shared map 'm'"). An error reply throws {@link ClusterException} with its message.
     */
    ClusterFrame.Reply call(String what, LongFunction<ClusterFrame.Request> build) {
        long id = ids.incrementAndGet();
        CompletableFuture<ClusterFrame.Reply> reply = new CompletableFuture<>();
        outstanding.put(id, reply);
        // after the put: either parentGone() sees this request, or this sees parentGone
        if (parentGone) {
            outstanding.remove(id);
            throw gone(what);
        }
        try {
            toParent.send(build.apply(id));
        } catch (IOException e) {
            outstanding.remove(id);
            throw gone(what);
        } catch (RuntimeException e) {
            outstanding.remove(id);
            throw e;
        }
        ClusterFrame.Reply answer;
        try {
            answer = reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            outstanding.remove(id);
            throw new ClusterException(what + ": no answer from the store within " + text(timeout) + " (store="
                    + store + ": " + whatToCheck() + ")");
        } catch (InterruptedException e) {
            outstanding.remove(id);
            Thread.currentThread().interrupt();
            throw new ClusterException(what + ": interrupted while waiting for the store's answer (the operation may"
                    + " still be applied)");
        } catch (ExecutionException e) {
            // only parentGone() fails a request; the exception is made here so that it carries the caller's stack
            throw gone(what);
        }
        if (answer instanceof ClusterFrame.ErrorReply error) {
            throw new ClusterException(error.message());
        }
        return answer;
    }

    /** A reply from the parent: wakes its caller, if it still waits. */
    void received(ClusterFrame.Reply reply) {
        CompletableFuture<ClusterFrame.Reply> waiting = outstanding.remove(reply.id());
        if (waiting != null) {
            waiting.complete(reply);
        }
    }

    /** The connection to the parent ended: every waiting and every later request fails at once. */
    void parentGone() {
        parentGone = true;
        for (Long id : outstanding.keySet()) {
            CompletableFuture<ClusterFrame.Reply> waiting = outstanding.remove(id);
            if (waiting != null) {
                waiting.completeExceptionally(new ClusterException("the parent is gone"));
            }
        }
    }

    /** Requests waiting for their reply now. */
    int outstanding() {
        return outstanding.size();
    }

    private static ClusterException gone(String what) {
        return new ClusterException(what + ": the parent is gone (the connection to it closed; this worker is"
                + " exiting)");
    }

    private String whatToCheck() {
        if (store.startsWith("redis")) {
            return "is Redis up and reachable from the parent? see the parent's log";
        }
        return "the parent is overloaded or stopped; see its log, or raise store-timeout";
    }

    /** Durations as the options write them: 5s, 500ms, 2m. */
    static String text(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 60_000 == 0 && millis > 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0 && millis > 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
