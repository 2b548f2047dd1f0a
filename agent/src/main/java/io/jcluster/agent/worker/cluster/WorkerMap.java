package io.jcluster.agent.worker.cluster;

import io.jcluster.ClusterException;
import io.jcluster.SharedMap;
import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ControlConnection;
import io.jcluster.spi.ApiChecks;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A shared map as a worker sees it: every operation is one request to the parent, which holds the map (or asks
 * Redis). Arguments are checked here, before anything is sent, with the same rules the parent checks again.
 */
final class WorkerMap implements SharedMap {

    /** What a frame carries besides its values: type, id, the map's name and the key, with their lengths. */
    private static final int FRAME_OVERHEAD = 1 + 8 + 2 + ApiChecks.MAX_NAME_LENGTH + 2 + ApiChecks.MAX_KEY_BYTES
            + 4 + 4 + 8;

    private final String name;
    private final String what;
    private final Requests requests;
    private final long maxMessage;

    WorkerMap(String name, Requests requests, long maxMessage) {
        this.name = ApiChecks.mapName(name);
        this.what = "shared map '" + name + "'";
        this.requests = requests;
        this.maxMessage = maxMessage;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public byte[] get(String key) {
        ApiChecks.key(key);
        return call(id -> new ClusterFrame.MapGet(id, name, key), ClusterFrame.ValueReply.class).value();
    }

    @Override
    public void put(String key, byte[] value) {
        ApiChecks.key(key);
        byte[] copy = value(key, value);
        call(id -> new ClusterFrame.MapPut(id, name, key, copy, 0), ClusterFrame.DoneReply.class);
    }

    @Override
    public void put(String key, byte[] value, Duration ttl) {
        ApiChecks.key(key);
        byte[] copy = value(key, value);
        long ttlMillis = ApiChecks.ttl(ttl);
        call(id -> new ClusterFrame.MapPut(id, name, key, copy, ttlMillis), ClusterFrame.DoneReply.class);
    }

    @Override
    public boolean putIfAbsent(String key, byte[] value, Duration ttl) {
        ApiChecks.key(key);
        byte[] copy = value(key, value);
        long ttlMillis = ttl == null ? 0 : ApiChecks.ttl(ttl);
        return call(id -> new ClusterFrame.MapPutIfAbsent(id, name, key, copy, ttlMillis),
                ClusterFrame.BooleanReply.class).value();
    }

    @Override
    public boolean remove(String key) {
        ApiChecks.key(key);
        return call(id -> new ClusterFrame.MapRemove(id, name, key), ClusterFrame.BooleanReply.class).value();
    }

    @Override
    public boolean compareAndSet(String key, byte[] expected, byte[] update) {
        ApiChecks.key(key);
        byte[] updateCopy = value(key, update);
        byte[] expectedCopy = expected == null ? null : expected.clone();
        if (expected != null) {
            ApiChecks.size("expected value of '" + key + "'", expected, maxMessage);
            // both values travel in one frame, and a frame has room for one largest value only
            long frame = (long) expected.length + update.length + FRAME_OVERHEAD;
            if (frame > ControlConnection.MAX_CLUSTER_FRAME) {
                throw new IllegalArgumentException("compareAndSet of '" + key + "': the expected and the new value"
                        + " together are " + (expected.length + (long) update.length) + " bytes, more than one"
                        + " control frame carries (" + (ControlConnection.MAX_CLUSTER_FRAME - FRAME_OVERHEAD)
                        + "); store a smaller value, or a version number next to it and compare that");
            }
        }
        return call(id -> new ClusterFrame.MapCompareAndSet(id, name, key, expectedCopy, updateCopy),
                ClusterFrame.BooleanReply.class).value();
    }

    @Override
    public long increment(String key, long delta) {
        ApiChecks.key(key);
        return call(id -> new ClusterFrame.MapIncrement(id, name, key, delta), ClusterFrame.LongReply.class).value();
    }

    @Override
    public String toString() {
        return what;
    }

    /**
     * A copy of {@code value}, if it is within max-message: the frame may be written after a timed-out call returned,
     * and the app may reuse its array at once.
     */
    private byte[] value(String key, byte[] value) {
        return ApiChecks.size("value of '" + key + "'", Objects.requireNonNull(value, "value"), maxMessage).clone();
    }

    private <R extends ClusterFrame.Reply> R call(LongFunction<ClusterFrame.Request> request, Class<R> expected) {
        ClusterFrame.Reply reply = requests.call(what, request);
        if (!expected.isInstance(reply)) {
            throw new ClusterException(what + ": the parent answered " + reply.getClass().getSimpleName()
                    + " where " + expected.getSimpleName() + " was due (a parent and worker of different jcluster"
                    + " versions?)");
        }
        return expected.cast(reply);
    }
}
