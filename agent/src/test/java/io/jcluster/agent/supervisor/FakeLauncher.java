package io.jcluster.agent.supervisor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link FakeProcess}es and remembers each one, in order. */
final class FakeLauncher implements ProcessLauncher {

    final List<FakeProcess> launched = new ArrayList<>();
    final List<Integer> ids = new ArrayList<>();
    private long nextPid = 1000;
    /** The next launch fails with this, once. */
    IOException failNext;

    @Override
    public synchronized Process launch(int id, int workerCount) throws IOException {
        if (failNext != null) {
            IOException failure = failNext;
            failNext = null;
            throw failure;
        }
        FakeProcess process = new FakeProcess(nextPid++);
        launched.add(process);
        ids.add(id);
        return process;
    }

    synchronized int count() {
        return launched.size();
    }

    synchronized FakeProcess last() {
        return launched.get(launched.size() - 1);
    }
}
