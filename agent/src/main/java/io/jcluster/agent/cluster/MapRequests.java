package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.log.Log;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/** The workers' shared-map requests: each counted, its value checked against max-message, and answered. */
final class MapRequests {

    /** The map operations, as /metrics labels them; their index counts in {@link #operations}. */
    static final List<String> OPERATIONS = List.of("get", "put", "putIfAbsent", "remove", "compareAndSet",
            "increment");

    private final Store store;
    private final int maxMessage;
    private final LongAdder[] operations = new LongAdder[OPERATIONS.size()];

    MapRequests(Store store, int maxMessage) {
        this.store = store;
        this.maxMessage = maxMessage;
        for (int i = 0; i < operations.length; i++) {
            operations[i] = new LongAdder();
        }
    }

    /** Answers {@code frame} through {@code outbound} if it is a map request; false when it is not one. */
    boolean serve(ClusterFrame frame, Outbound outbound, int workerId) {
        if (frame instanceof ClusterFrame.MapGet get) {
            map(0, get.id(), get.map(), null, outbound, workerId, () -> store.maps().get(get.map(), get.key())
                    .thenApply(value -> new ClusterFrame.ValueReply(get.id(), value)));
        } else if (frame instanceof ClusterFrame.MapPut put) {
            map(1, put.id(), put.map(), put.value(), outbound, workerId, () -> store.maps()
                    .put(put.map(), put.key(), put.value(), put.ttlMillis())
                    .thenApply(done -> new ClusterFrame.DoneReply(put.id())));
        } else if (frame instanceof ClusterFrame.MapPutIfAbsent put) {
            map(2, put.id(), put.map(), put.value(), outbound, workerId, () -> store.maps()
                    .putIfAbsent(put.map(), put.key(), put.value(), put.ttlMillis())
                    .thenApply(stored -> new ClusterFrame.BooleanReply(put.id(), stored)));
        } else if (frame instanceof ClusterFrame.MapRemove remove) {
            map(3, remove.id(), remove.map(), null, outbound, workerId, () -> store.maps()
                    .remove(remove.map(), remove.key())
                    .thenApply(removed -> new ClusterFrame.BooleanReply(remove.id(), removed)));
        } else if (frame instanceof ClusterFrame.MapCompareAndSet cas) {
            map(4, cas.id(), cas.map(), cas.update(), outbound, workerId, () -> store.maps()
                    .compareAndSet(cas.map(), cas.key(), cas.expected(), cas.update())
                    .thenApply(set -> new ClusterFrame.BooleanReply(cas.id(), set)));
        } else if (frame instanceof ClusterFrame.MapIncrement increment) {
            map(5, increment.id(), increment.map(), null, outbound, workerId, () -> store.maps()
                    .increment(increment.map(), increment.key(), increment.delta())
                    .thenApply(value -> new ClusterFrame.LongReply(increment.id(), value)));
        } else {
            return false;
        }
        return true;
    }

    /** How many of each operation the workers asked for, by its /metrics label. */
    Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < operations.length; i++) {
            counts.put(OPERATIONS.get(i), operations[i].sum());
        }
        return counts;
    }

    private void map(int operation, long id, String map, byte[] value, Outbound outbound, int workerId,
                     Supplier<CompletableFuture<? extends ClusterFrame>> call) {
        operations[operation].increment();
        if (value != null && value.length > maxMessage) {
            outbound.replyFromReader(new ClusterFrame.ErrorReply(id, "shared map '" + map + "': a value of "
                    + value.length + " bytes is over max-message=" + maxMessage + " (set max-message to a larger size, at most"
                    + " 8m, to allow more)"));
            return;
        }
        CompletableFuture<? extends ClusterFrame> reply;
        try {
            reply = call.get();
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        // the embedded store answers at once, here on the reader thread; Redis later, on its event loop, which
        // must never block on a worker's socket: that reply goes through the writer thread
        Thread reader = Thread.currentThread();
        reply.whenComplete((frame, failure) -> {
            ClusterFrame answer = failure == null ? frame : new ClusterFrame.ErrorReply(id,
                    failureMessage(OPERATIONS.get(operation), map, failure, workerId));
            if (Thread.currentThread() == reader) {
                outbound.replyFromReader(answer);
            } else {
                outbound.send(answer);
            }
        });
    }

    private static String failureMessage(String operation, String map, Throwable failure, int workerId) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof StoreException) {
            return cause.getMessage();
        }
        Log.error("the cluster store failed on " + operation + " of shared map '" + map + "' for worker "
                + workerId, cause);
        return "shared map '" + map + "': the parent failed on " + operation + " (" + Log.describe(cause)
                + "); the parent's log has the details";
    }
}
