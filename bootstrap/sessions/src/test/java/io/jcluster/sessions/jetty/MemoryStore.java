package io.jcluster.sessions.jetty;

import io.jcluster.bootstrap.SharedSessions;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The cluster's store as the adapters see it, in memory; it can be told to fail as a store that does not answer. */
final class MemoryStore implements SharedSessions.Store {

    final Map<String, byte[]> records = new ConcurrentHashMap<>();
    final List<String> keptLocal = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final AtomicInteger saves = new AtomicInteger();
    final AtomicInteger removes = new AtomicInteger();
    volatile long maxRecord = Long.MAX_VALUE;
    volatile boolean down;

    @Override
    public byte[] load(String context, String id) {
        check();
        return records.get(context + ' ' + id);
    }

    @Override
    public boolean save(String context, String id, byte[] record, long keepSeconds) {
        check();
        if (record.length > maxRecord) {
            keptLocal("session", context, "a session of " + record.length + " bytes");
            return false;
        }
        records.put(context + ' ' + id, record);
        saves.incrementAndGet();
        return true;
    }

    @Override
    public void remove(String context, String id) {
        check();
        records.remove(context + ' ' + id);
        removes.incrementAndGet();
    }

    @Override
    public void keptLocal(String server, String context, String reason) {
        keptLocal.add(server + " " + context + ": " + reason);
    }

    @Override
    public void log(String line) {
        log.add(line);
    }

    private void check() {
        if (down) {
            // stands for io.jcluster.ClusterException, which the adapters never name
            throw new IllegalStateException("the store did not answer within store-timeout");
        }
    }
}
