package io.jcluster.agent.supervisor;

/**
 * The {@link SupervisorConfig} the supervisor acts on now: one immutable value, replaced as a whole when a SIGHUP
 * changes a run-time option. Each decision (a probe, a restart, a drain, a memory report) reads it once with
 * {@link #get()} and keeps that value for itself, so a change takes effect from the next decision on and never
 * mixes two configurations into one.
 */
final class RunningConfig {

    private volatile SupervisorConfig current;

    RunningConfig(SupervisorConfig initial) {
        this.current = initial;
    }

    SupervisorConfig get() {
        return current;
    }

    void set(SupervisorConfig next) {
        current = next;
    }
}
