package io.jcluster.agent.supervisor;

import io.jcluster.agent.config.Options;

import java.time.Duration;

/** The options the supervisor acts on; a test builds one directly. */
record SupervisorConfig(int processes, int maxProcesses, Duration restartDelay, int maxRestarts,
                        Duration readyTimeout, Duration healthInterval, int healthThreshold,
                        Duration shutdownTimeout, long maxMemory) {

    static SupervisorConfig from(Options options) {
        return new SupervisorConfig(options.processes(), options.maxProcesses(), options.restartDelay(),
                options.maxRestarts(), options.readyTimeout(), options.healthInterval(), options.healthThreshold(),
                options.shutdownTimeout(), options.maxMemory());
    }

    /** A probe may take up to half the interval, at least 100ms. */
    int probeTimeoutMillis() {
        return (int) Math.max(100, healthInterval.toMillis() / 2);
    }
}
