package io.jcluster.agent.routing;

import io.jcluster.agent.supervisor.WorkerProcess;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Worker processes that were never forked, for the routing modes' tests: a routing mode keys everything by the
 * process's serial and id, never by the OS process. Built by reflection because only the supervisor forks workers.
 */
public final class FakeWorkers {

    private static final AtomicLong PIDS = new AtomicLong(4_000_000);

    private FakeWorkers() {
    }

    public static WorkerProcess process(int id) {
        try {
            for (Constructor<?> constructor : WorkerProcess.class.getDeclaredConstructors()) {
                Class<?>[] types = constructor.getParameterTypes();
                if (types.length >= 2 && types[0] == int.class && types[1] == Process.class) {
                    constructor.setAccessible(true);
                    Object[] arguments = new Object[types.length];
                    arguments[0] = id;
                    arguments[1] = new NeverForked(PIDS.incrementAndGet());
                    for (int i = 2; i < types.length; i++) {
                        arguments[i] = types[i] == long.class ? (Object) System.nanoTime() : null;
                    }
                    return (WorkerProcess) constructor.newInstance(arguments);
                }
            }
            throw new IllegalStateException("no WorkerProcess(int, Process, ...) constructor");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A pid no process has here: /proc knows nothing of it. */
    private static final class NeverForked extends Process {
        private final long pid;

        NeverForked(long pid) {
            this.pid = pid;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public InputStream getInputStream() {
            return InputStream.nullInputStream();
        }

        @Override
        public InputStream getErrorStream() {
            return InputStream.nullInputStream();
        }

        @Override
        public int waitFor() {
            return 0;
        }

        @Override
        public int exitValue() {
            return 0;
        }

        @Override
        public void destroy() {
        }

        @Override
        public boolean isAlive() {
            return false;
        }
    }
}
