package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real worker process stopped as the parent stops it: what it writes while it stops (a shutdown hook's lines,
 * Tomcat's "Stopping service") still reaches the parent's output through its relay. With Process.destroy() the JDK
 * closed the relay's end of the pipe at SIGTERM, and those lines were lost.
 */
class ProcessStopperTest {

    /** A shell that says "up", and on SIGTERM writes two lines 200 ms apart on stdout and one on stderr, then exits. */
    private static final String WORKER = "trap 'echo stopping; echo on-stderr >&2; sleep 0.2; echo stopped; exit 0'"
            + " TERM; echo up; while true; do sleep 0.05; done";

    @Test
    void linesWrittenWhileTheWorkerStopsAreRelayed() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", WORKER).start();
        Scheduler scheduler = Scheduler.threads();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread outRelay = OutputRelay.start(process.getInputStream(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), RelayedLine.prefixed(0), "test-out");
            Thread errRelay = OutputRelay.start(process.getErrorStream(),
                    new PrintStream(err, true, StandardCharsets.UTF_8), RelayedLine.prefixed(0), "test-err");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!text(out).contains("up\n") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("[w0] up\n", text(out));

            new ProcessStopper(scheduler, new FakeRouting()).stop(new WorkerProcess(0, process, System.nanoTime()),
                    Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
            outRelay.join(5000);
            errRelay.join(5000);

            assertEquals(0, process.exitValue(), "it exited on SIGTERM, by its own trap");
            assertEquals("[w0] up\n[w0] stopping\n[w0] stopped\n", text(out));
            assertEquals("[w0] on-stderr\n", text(err));
            assertTrue(!outRelay.isAlive() && !errRelay.isAlive(), "the relays end with the worker's pipes");
        } finally {
            process.destroyForcibly();
            scheduler.shutdown();
        }
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
