package io.jcluster.agent.worker.sessions;

import io.jcluster.ClusterException;
import io.jcluster.SharedMap;
import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.bootstrap.SharedSessions;
import io.jcluster.spi.ApiChecks;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The worker's shared session store: one shared map of the Cluster API ({@value #MAP}), keyed by context and
 * session id, in the parent's embedded store or in Redis. It counts what the adapters do, for the parent's
 * /status and /metrics.
 *
 * <p>A session id may come from a client's cookie, so it is hostile: one that no server issues (empty, longer than
 * {@value #MAX_ID_LENGTH} characters, or anything but visible ASCII) is no key of the store. Loading it finds no
 * session (the server makes a new one, as for any unknown id) rather than failing the request; and because an id
 * never holds a space, the key "context id" names exactly one (context, id) pair.
 */
public final class WorkerSessions implements SharedSessions.Store {

    /** The shared map that holds every session record; apps cannot collide with it by accident. */
    public static final String MAP = ClusterFrame.SessionCounts.MAP;

    /** Longer than any id Tomcat, Jetty or Undertow issue (Tomcat's longest default: 32 hex digits and a route). */
    static final int MAX_ID_LENGTH = 256;

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
        final LongAdder storeFailures = new LongAdder();

        public long reads() { return reads.sum(); }
        public long readBytes() { return readBytes.sum(); }
        public long writes() { return writes.sum(); }
        public long writeBytes() { return writeBytes.sum(); }
        public long removes() { return removes.sum(); }
        /** Sessions that could not be shared (an attribute not serializable, a record above max-message). */
        public long keptLocal() { return keptLocal.sum(); }
        /** Calls the store failed ({@link ClusterException}: no answer within store-timeout, unreachable). */
        public long storeFailures() { return storeFailures.sum(); }

        /** What the worker reports to the parent once a second. */
        public ClusterFrame.SessionCounts snapshot() {
            return new ClusterFrame.SessionCounts(reads(), readBytes(), writes(), writeBytes(), removes(),
                    keptLocal(), storeFailures());
        }
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
        String key = key(context, id);
        if (key == null) {
            return null; // no server issued this id: no such session
        }
        byte[] record;
        try {
            record = map.get(key);
        } catch (ClusterException e) {
            counters.storeFailures.increment();
            throw e;
        }
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
        String key = key(context, id);
        if (key == null) {
            keptLocal("session", context, "a session id that is not 1.." + MAX_ID_LENGTH + " visible ASCII"
                    + " characters cannot be a key of the store (does the app set its own session ids?)");
            return false;
        }
        try {
            if (keepSeconds > 0) {
                map.put(key, record, Duration.ofSeconds(keepSeconds));
            } else {
                map.put(key, record);
            }
        } catch (ClusterException e) {
            counters.storeFailures.increment();
            throw e;
        }
        counters.writes.increment();
        counters.writeBytes.add(record.length);
        return true;
    }

    @Override
    public void remove(String context, String id) {
        String key = key(context, id);
        if (key == null) {
            return; // never stored
        }
        try {
            map.remove(key);
        } catch (ClusterException e) {
            counters.storeFailures.increment();
            throw e;
        }
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

    /**
     * Context and id apart by a space, which no id holds; null when {@code id} is no id a server issues, or the key
     * would be longer than the store takes.
     */
    static String key(String context, String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= ' ' || c > '~') {
                return null;
            }
        }
        String key = context + ' ' + id;
        try {
            return ApiChecks.key(key);
        } catch (IllegalArgumentException e) {
            return null; // a context path of about a kilobyte
        }
    }
}
