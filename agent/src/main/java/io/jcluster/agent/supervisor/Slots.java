package io.jcluster.agent.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The supervisor's shared state: the worker slots, every process still alive, and whether the cluster is stopping.
 * Everything that changes a slot or a process's supervision fields holds {@link #lock}.
 */
final class Slots {

    final Object lock = new Object();
    /** Index = worker id; scaling down removes from the end. */
    @GuardedBy("lock")
    private final List<WorkerSlot> slots = new ArrayList<>();
    /** Every forked process that has not exited yet, whatever its role. */
    final ConcurrentHashMap.KeySetView<WorkerProcess, Boolean> alive = ConcurrentHashMap.newKeySet();
    @GuardedBy("lock")
    private boolean stopping;

    /** The slot of worker {@code id}, or null (scaled away, or never was). */
    WorkerSlot get(int id) {
        synchronized (lock) {
            return id >= 0 && id < slots.size() ? slots.get(id) : null;
        }
    }

    int count() {
        synchronized (lock) {
            return slots.size();
        }
    }

    List<WorkerSlot> all() {
        synchronized (lock) {
            return new ArrayList<>(slots);
        }
    }

    /** A new slot, restarting by the configuration of now (read under the lock a SIGHUP's change takes too). */
    WorkerSlot add(RunningConfig running) {
        synchronized (lock) {
            SupervisorConfig config = running.get();
            WorkerSlot slot = new WorkerSlot(slots.size(), config.restartDelay(), config.maxRestarts());
            slots.add(slot);
            return slot;
        }
    }

    /** Removes the last slot (the highest id), marked REMOVED, or null when there is none above {@code keep}. */
    WorkerSlot removeLastAbove(int keep) {
        synchronized (lock) {
            if (slots.size() <= keep) {
                return null;
            }
            WorkerSlot slot = slots.remove(slots.size() - 1);
            slot.state = WorkerSlot.State.REMOVED;
            return slot;
        }
    }

    boolean stopping() {
        synchronized (lock) {
            return stopping;
        }
    }

    void stop() {
        synchronized (lock) {
            stopping = true;
        }
    }

    /** Whether every slot has been given up: nothing is left to serve. */
    boolean allGivenUp() {
        synchronized (lock) {
            for (WorkerSlot slot : slots) {
                if (slot.state != WorkerSlot.State.GIVEN_UP) {
                    return false;
                }
            }
            return true;
        }
    }
}
