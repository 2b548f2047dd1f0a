package io.jcluster.sessions.tomcat;

import io.jcluster.bootstrap.SharedSessions;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The cluster's store as a map in memory, counting what the adapter asks of it; it can be told to fail. */
final class MemoryStore implements SharedSessions.Store {

    final Map<String, byte[]> records = new ConcurrentHashMap<>();
    final Map<String, Long> keepSeconds = new ConcurrentHashMap<>();
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger saves = new AtomicInteger();
    final AtomicInteger removes = new AtomicInteger();
    final List<String> keptLocal = new CopyOnWriteArrayList<>();
    final List<String> lines = new CopyOnWriteArrayList<>();
    volatile int maxRecord = Integer.MAX_VALUE;
    volatile boolean failing;

    static String key(String context, String id) {
        return context + ' ' + id;
    }

    private void failIfTold() {
        if (failing) {
            throw new IllegalStateException("the store did not answer within store-timeout (test)");
        }
    }

    @Override
    public byte[] load(String context, String id) {
        failIfTold();
        loads.incrementAndGet();
        return records.get(key(context, id));
    }

    @Override
    public boolean save(String context, String id, byte[] record, long keep) {
        failIfTold();
        if (record.length > maxRecord) {
            keptLocal("tomcat", context, "a session of " + record.length + " bytes is larger than max-message");
            return false;
        }
        saves.incrementAndGet();
        records.put(key(context, id), record);
        keepSeconds.put(key(context, id), keep);
        return true;
    }

    @Override
    public void remove(String context, String id) {
        failIfTold();
        removes.incrementAndGet();
        records.remove(key(context, id));
    }

    @Override
    public void keptLocal(String server, String context, String reason) {
        keptLocal.add(server + " " + context + ": " + reason);
    }

    @Override
    public void log(String line) {
        lines.add(line);
    }
}
