package io.jcluster.agent.worker.sessions;

import io.jcluster.SharedMap;
import io.jcluster.bootstrap.SharedSessions;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The worker's shared session store: one shared map of the Cluster API ({@value #MAP}), keyed by context and
 * session id, in the parent's embedded store or in Redis. It counts what the adapters do, for the parent's
 * /status and /metrics.
 */
public final class WorkerSessions implements SharedSessions.Store {

    /** The shared map that holds every session record; apps cannot collide with it by accident. */
    public static final String MAP = "jcluster.sessions";

    private final SharedMap map;
    private final long maxRecord;
    private final Consumer<String> log;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final Counters counters = new Counters();

    /** What this worker did with shared sessions since it started. */
    public static final class Counters {
        final LongAdder reads = new LongAdder();
        final LongAdder readBytes = new LongAdder();
        final LongAdder writes = new LongAdder();
        final LongAdder writeBytes = new LongAdder();
        final LongAdder removes = new LongAdder();
        final LongAdder keptLocal = new LongAdder();

        public long reads() { return reads.sum(); }
        public long readBytes() { return readBytes.sum(); }
        public long writes() { return writes.sum(); }
        public long writeBytes() { return writeBytes.sum(); }
        public long removes() { return removes.sum(); }
        /** Sessions that could not be shared (an attribute not serializable, a record above max-message). */
        public long keptLocal() { return keptLocal.sum(); }
    }

    /**
     * @param map       the Cluster API's shared map {@value #MAP}
     * @param maxRecord {@code max-message}: the largest record the store takes
     * @param log       takes a line for the worker's stderr, already prefixed "[jcluster] worker N: "
     */
    public WorkerSessions(SharedMap map, long maxRecord, Consumer<String> log) {
        this.map = map;
        this.maxRecord = maxRecord;
        this.log = log;
    }

    public Counters counters() {
        return counters;
    }

    @Override
    public byte[] load(String context, String id) {
        byte[] record = map.get(key(context, id));
        if (record != null) {
            counters.reads.increment();
            counters.readBytes.add(record.length);
        }
        return record;
    }

    @Override
    public boolean save(String context, String id, byte[] record, long keepSeconds) {
        if (record.length > maxRecord) {
            keptLocal("session", context, "a session of " + record.length + " bytes is larger than max-message="
                    + maxRecord + " bytes (raise max-message, or keep less in the session)");
            return false;
        }
        if (keepSeconds > 0) {
            map.put(key(context, id), record, Duration.ofSeconds(keepSeconds));
        } else {
            map.put(key(context, id), record);
        }
        counters.writes.increment();
        counters.writeBytes.add(record.length);
        return true;
    }

    @Override
    public void remove(String context, String id) {
        map.remove(key(context, id));
        counters.removes.increment();
    }

    @Override
    public void keptLocal(String server, String context, String reason) {
        counters.keptLocal.increment();
        if (warned.size() < 1_000 && warned.add(context + '\n' + reason)) {
            log.accept("sessions=shared: " + server + " context '" + context + "': " + reason
                    + "; such a session stays in this worker's memory only (it is lost if this worker stops, and"
                    + " found on no other worker). Said once per context and reason.");
        }
    }

    @Override
    public void log(String line) {
        log.accept(line);
    }

    /** Context and id apart by a character neither contains (a context path has no spaces; ids are tokens). */
    static String key(String context, String id) {
        return context + ' ' + id;
    }
}
