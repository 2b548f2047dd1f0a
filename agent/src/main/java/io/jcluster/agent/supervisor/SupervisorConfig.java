package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.HealthOptions;
import io.jcluster.agent.config.RecycleOptions;
import io.jcluster.agent.config.SupervisorOptions;

import java.time.Duration;

/** The options the supervisor acts on; a test builds one directly. */
record SupervisorConfig(int processes, int maxProcesses, Duration restartDelay, int maxRestarts,
                        Duration readyTimeout, Duration healthInterval, int healthThreshold,
                        Duration shutdownTimeout, long maxMemory, RecycleOptions recycle) {

    static SupervisorConfig from(SupervisorOptions supervisor, HealthOptions health) {
        return new SupervisorConfig(supervisor.processes(), supervisor.maxProcesses(), supervisor.restartDelay(),
                supervisor.maxRestarts(), supervisor.readyTimeout(), health.interval(), health.threshold(),
                supervisor.shutdownTimeout(), supervisor.maxMemory(), supervisor.recycle());
    }

    /** A probe may take up to half the interval, at least 100ms. */
    int probeTimeoutMillis() {
        return (int) Math.max(100, healthInterval.toMillis() / 2);
    }
}
