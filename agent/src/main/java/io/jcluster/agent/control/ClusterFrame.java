package io.jcluster.agent.control;


/**
 * The Cluster API's messages between a worker and its parent, carried as binary frames on the control connection
 * ({@link ControlConnection}). A frame body is one type byte, then its fields in order: an int or long big-endian, a
 * boolean one byte, a string an unsigned 16-bit length and UTF-8, bytes an int length (-1 for null) and the bytes.
 * Requests carry an id the reply repeats; publish and the leadership acknowledgement have no reply.
 */
public sealed interface ClusterFrame {

    byte type();

    /** A request that gets exactly one reply with its {@link #id()}. */
    sealed interface Request extends ClusterFrame {
        long id();
    }

    /** A reply to the request with {@link #id()}. */
    sealed interface Reply extends ClusterFrame {
        long id();
    }

    // ---- worker -> parent

    record Subscribe(long id, String topic) implements Request {
        public byte type() { return 1; }
    }

    record Unsubscribe(long id, String topic) implements Request {
        public byte type() { return 2; }
    }

    record Publish(String topic, byte[] message) implements ClusterFrame {
        public byte type() { return 3; }
    }

    record MapGet(long id, String map, String key) implements Request {
        public byte type() { return 10; }
    }

    /** {@code ttlMillis} 0: no expiry. */
    record MapPut(long id, String map, String key, byte[] value, long ttlMillis) implements Request {
        public byte type() { return 11; }
    }

    record MapPutIfAbsent(long id, String map, String key, byte[] value, long ttlMillis) implements Request {
        public byte type() { return 12; }
    }

    record MapRemove(long id, String map, String key) implements Request {
        public byte type() { return 13; }
    }

    /** {@code expected} null: only if absent. */
    record MapCompareAndSet(long id, String map, String key, byte[] expected, byte[] update) implements Request {
        public byte type() { return 14; }
    }

    record MapIncrement(long id, String map, String key, long delta) implements Request {
        public byte type() { return 15; }
    }

    /** The worker ran its {@code lost} callbacks for the grant of {@code epoch}: the parent may grant again. */
    record LeadershipReleased(long epoch) implements ClusterFrame {
        public byte type() { return 20; }
    }

    /** Once a second: the offload pool, the delivery queue and the shared sessions of the worker. */
    record WorkerStats(int offloadThreads, int offloadBusy, int offloadQueued, long offloadRejected,
                       long delivered, long droppedInWorker, SessionCounts sessions) implements ClusterFrame {
        public byte type() { return 21; }

        /** A worker that shares no sessions. */
        public WorkerStats(int offloadThreads, int offloadBusy, int offloadQueued, long offloadRejected,
                           long delivered, long droppedInWorker) {
            this(offloadThreads, offloadBusy, offloadQueued, offloadRejected, delivered, droppedInWorker,
                    SessionCounts.NONE);
        }

        public WorkerStats withSessions(SessionCounts counts) {
            return new WorkerStats(offloadThreads, offloadBusy, offloadQueued, offloadRejected, delivered,
                    droppedInWorker, counts);
        }
    }

    /**
     * What one worker process did with shared sessions ({@code sessions=shared}) since it started, carried in its
     * {@link WorkerStats}: records read (found) and their bytes, records written and their bytes, records removed,
     * sessions kept in the worker's memory only (not serializable, or above max-message), and calls the store failed.
     */
    record SessionCounts(long reads, long readBytes, long writes, long writeBytes, long removes, long keptLocal,
                         long storeFailures) {

        /** The shared map that holds the session records, one entry per session: key = context, space, id. */
        public static final String MAP = "jcluster.sessions";

        public static final SessionCounts NONE = new SessionCounts(0, 0, 0, 0, 0, 0, 0);

        public SessionCounts plus(SessionCounts other) {
            return new SessionCounts(reads + other.reads, readBytes + other.readBytes, writes + other.writes,
                    writeBytes + other.writeBytes, removes + other.removes, keptLocal + other.keptLocal,
                    storeFailures + other.storeFailures);
        }
    }

    // ---- parent -> worker

    record ValueReply(long id, byte[] value) implements Reply {
        public byte type() { return 100; }
    }

    record BooleanReply(long id, boolean value) implements Reply {
        public byte type() { return 101; }
    }

    record LongReply(long id, long value) implements Reply {
        public byte type() { return 102; }
    }

    record DoneReply(long id) implements Reply {
        public byte type() { return 103; }
    }

    /** The request failed; {@code message} says why and what to do, for the app's exception. */
    record ErrorReply(long id, String message) implements Reply {
        public byte type() { return 104; }
    }

    /** A message published on {@code topic} by worker {@code fromWorker} (-1: another host). */
    record Message(String topic, byte[] message, int fromWorker) implements ClusterFrame {
        public byte type() { return 110; }
    }

    /** This worker is now the leader ({@code granted}) or must stop being one and answer with LeadershipReleased. */
    record Leadership(long epoch, boolean granted) implements ClusterFrame {
        public byte type() { return 111; }
    }

    /** The cluster's worker count changed (scale). */
    record Workers(int count) implements ClusterFrame {
        public byte type() { return 112; }
    }
}
