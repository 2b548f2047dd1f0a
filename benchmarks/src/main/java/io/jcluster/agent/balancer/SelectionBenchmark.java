package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Strategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Cost of one pick of each strategy, as a listener makes it for each new connection (http mode: each request):
 * one strategy instance and one backend array shared by all benchmark threads, as all event loops share a
 * listener's. In this package for the package-private strategies and connection counts.
 *
 * <p>Every backend starts with {@link #OPEN} open connections, so that least-connections scans the whole array (it
 * stops early only at a backend with none open, which a loaded cluster does not have). {@code pickAndCount*} also
 * opens and closes a connection on the picked backend (the two atomic updates of {@link BackendLease}, without the
 * lease object, which lives as long as its connection).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class SelectionBenchmark {

    static final int OPEN = 16;

    @Param({"round-robin", "least-connections", "random", "power-of-two"})
    public String strategy;

    @Param({"4", "64"})
    public int backends;

    private SelectionStrategy selection;
    private Backend[] rotation;

    @Setup
    public void setUp() {
        Strategy name = null;
        for (Strategy candidate : Strategy.values()) {
            if (candidate.optionValue().equals(strategy)) {
                name = candidate;
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("strategy=" + strategy + ": not a strategy");
        }
        selection = SelectionStrategy.of(name);
        rotation = new Backend[backends];
        for (int i = 0; i < backends; i++) {
            rotation[i] = new Backend(i, new InetSocketAddress("127.0.0.1", 20_000 + i));
            for (int open = 0; open < OPEN; open++) {
                rotation[i].connectionOpened();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public Backend pick1Thread() {
        return selection.pick(rotation);
    }

    @Benchmark
    @Threads(4)
    public Backend pick4Threads() {
        return selection.pick(rotation);
    }

    @Benchmark
    @Threads(1)
    public Backend pickAndCount1Thread() {
        return pickAndCount();
    }

    @Benchmark
    @Threads(4)
    public Backend pickAndCount4Threads() {
        return pickAndCount();
    }

    private Backend pickAndCount() {
        Backend picked = selection.pick(rotation);
        picked.connectionOpened();
        picked.connectionClosed();
        return picked;
    }
}
