package io.jcluster.agent.supervisor;

import java.util.concurrent.ThreadFactory;

/** The one place the supervisor creates threads: all daemons (the parent's main thread decides when it ends). */
final class DaemonThreads {

    private DaemonThreads() {
    }

    static ThreadFactory named(String name) {
        return runnable -> create(runnable, name);
    }

    /** Starts {@code task} on its own daemon thread; for a task that blocks for its whole life (an output relay). */
    static Thread start(Runnable task, String name) {
        Thread thread = create(task, name);
        thread.start();
        return thread;
    }

    private static Thread create(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
