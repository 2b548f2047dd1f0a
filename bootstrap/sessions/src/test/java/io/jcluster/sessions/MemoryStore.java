package io.jcluster.sessions;

import io.jcluster.bootstrap.SharedSessions;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster's store as the adapters see it, a map in memory counting what they ask of it. It refuses a record
 * above {@link #maxRecord} as WorkerSessions does (warning and counting itself), and can be told to fail as a store
 * that does not answer.
 */
public final class MemoryStore implements SharedSessions.Store {

    public final Map<String, byte[]> records = new ConcurrentHashMap<>();
    public final Map<String, Long> keepSeconds = new ConcurrentHashMap<>();
    /** The ids asked for, in order. */
    public final List<String> loadedIds = new CopyOnWriteArrayList<>();
    public final AtomicInteger loads = new AtomicInteger();
    public final AtomicInteger saves = new AtomicInteger();
    public final AtomicInteger removes = new AtomicInteger();
    /** Records refused for their size. */
    public final AtomicInteger refusals = new AtomicInteger();
    public final List<String> keptLocal = new CopyOnWriteArrayList<>();
    public final List<String> log = new CopyOnWriteArrayList<>();
    public volatile long maxRecord = Long.MAX_VALUE;
    /** Every call fails. */
    public volatile boolean failing;
    /** Saves fail. */
    public volatile boolean failingSaves;

    public static String key(String context, String id) {
        return context + ' ' + id;
    }

    @Override
    public byte[] load(String context, String id) {
        loadedIds.add(id);
        failIfTold(failing);
        loads.incrementAndGet();
        return records.get(key(context, id));
    }

    @Override
    public boolean save(String context, String id, byte[] record, long keep) {
        failIfTold(failing || failingSaves);
        if (record.length > maxRecord) {
            refusals.incrementAndGet();
            keptLocal("session", context, "a session of " + record.length + " bytes is larger than max-message");
            return false;
        }
        saves.incrementAndGet();
        records.put(key(context, id), record);
        keepSeconds.put(key(context, id), keep);
        return true;
    }

    @Override
    public void remove(String context, String id) {
        failIfTold(failing);
        removes.incrementAndGet();
        records.remove(key(context, id));
    }

    @Override
    public void keptLocal(String server, String context, String reason) {
        keptLocal.add(server + " " + context + ": " + reason);
    }

    @Override
    public void log(String line) {
        log.add(line);
    }

    private static void failIfTold(boolean fail) {
        if (fail) {
            // stands for io.jcluster.ClusterException, which the adapters never name
            throw new IllegalStateException("the store did not answer within store-timeout (test)");
        }
    }
}
