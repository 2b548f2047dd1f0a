package io.jcluster.agent.http.grpc;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.TrustedProxies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * send-timeout in mode=grpc ({@link CallDeadline}): a call whose client takes none of the response (a slow-read
 * attack: its stream is never granted window again) is reset after send-timeout, and its worker stream with it, so
 * it cannot hold a worker stream, the worker's thread and what the worker buffers for ever; the calls beside it on
 * the same client and worker connections go on; a client that reads again in time is not cut. Real sockets (the
 * {@link GrpcRig}); the clients here have no grpc-timeout, so only send-timeout can end a stalled call.
 */
class GrpcSendTimeoutTest {

    private GrpcRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aCallWhoseClientNeverGrantsWindowIsResetAfterSendTimeoutAndItsWorkerStreamCancelled() throws Exception {
        rig = new GrpcRig(1, GrpcRig.limits(100), Duration.ofMillis(300), TrustedProxies.NONE);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.BIG); // 1 MiB: far more than a stream window
        GrpcRig.Client client = rig.client();
        client.raiseConnectionWindow(16 << 20); // the stalled stream's window holds back that stream only
        GrpcRig.Call stalled = client.start(false, GrpcRig.call("/big.Big/Slow"), "x");

        // another call on the same client connection (and, one event loop, the same worker connection) completes
        List<String> frames = client.start(GrpcRig.call("/big.Big/Fast"), "y").untilEnd();
        assertTrue(frames.get(frames.size() - 1).contains("grpc-status: 0"), frames::toString);

        assertEquals("RST CANCEL", stalled.frames.poll(5, TimeUnit.SECONDS), "the stalled call is reset");
        assertEquals("RST CANCEL", worker.resets.poll(5, TimeUnit.SECONDS), "its worker stream is cancelled");
        long sent = worker.sent.get("/big.Big/Slow").get();
        assertTrue(sent < GrpcRig.BIG_BYTES, () -> "the worker got " + sent + " bytes of the stalled call out");

        // the connections stay: a call after the cut completes on both
        GrpcRig.Call after = client.start(GrpcRig.call("/big.Big/After"), "z");
        List<String> afterFrames = after.untilEnd();
        assertTrue(afterFrames.get(afterFrames.size() - 1).contains("grpc-status: 0"), afterFrames::toString);
        assertEquals(GrpcRig.BIG_BYTES, after.dataBytes);
        assertEquals(1, worker.accepted.size(), "one worker connection throughout");
        assertTrue(client.channel.isActive());
        List<String> lines = rig.accessLines(3);
        assertTrue(lines.stream().anyMatch(line -> line.contains("/big.Big/Slow") && line.contains("grpc-status=1")),
                lines::toString); // CANCELLED: what the client's gRPC library reports for the reset
    }

    /**
     * The call's two deadlines share one timer, set for the grpc-timeout when the call begins: a pause whose
     * send-timeout comes first moves it earlier (else the stalled call would hold its worker stream until then).
     */
    @Test
    void aSendTimeoutBeforeTheCallsGrpcTimeoutCutsItFirst() throws Exception {
        rig = new GrpcRig(1, GrpcRig.limits(100), Duration.ofMillis(300), TrustedProxies.NONE);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.BIG);
        GrpcRig.Client client = rig.client();
        client.raiseConnectionWindow(16 << 20);
        GrpcRig.Call stalled = client.start(false, GrpcRig.call("/big.Big/Slow").set("grpc-timeout", "20S"), "x");
        assertEquals("RST CANCEL", stalled.frames.poll(5, TimeUnit.SECONDS), "cut at send-timeout, not at 20 s");
        assertEquals("RST CANCEL", worker.resets.poll(5, TimeUnit.SECONDS));
    }

    /** Each time the client takes bytes again the clock stops: pauses shorter than send-timeout add up to more. */
    @Test
    void aClientThatReadsAgainBeforeSendTimeoutIsNotCut() throws Exception {
        // a pause is the 1 s sleep plus the wait for the first bytes after the read (at most 1.5 s on a loaded
        // machine): under the 3 s send-timeout each time, 4 s or more in all
        rig = new GrpcRig(1, GrpcRig.limits(100), Duration.ofSeconds(3), TrustedProxies.NONE);
        rig.worker(GrpcRig.Behaviour.BIG);
        GrpcRig.Client client = rig.client();
        client.raiseConnectionWindow(16 << 20);
        GrpcRig.Call call = client.start(false, GrpcRig.call("/big.Big/Slow"), "x");
        long before = 0;
        for (int pause = 0; pause < 4; pause++) {
            Thread.sleep(1000);
            call.stream.eventLoop().execute(() -> {
                for (int frame = 0; frame < 16; frame++) { // reads off, a read is one frame: a window's worth
                    call.stream.read();
                }
            });
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (call.dataBytes == before && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            long now = call.dataBytes;
            long previous = before;
            assertTrue(now > previous, () -> "the client read " + (now - previous) + " bytes more");
            before = now;
        }
        assertTrue(before < GrpcRig.BIG_BYTES, "the response was still coming during the pauses");
        call.stream.eventLoop().execute(() -> call.stream.config().setAutoRead(true));
        List<String> frames = call.untilEnd();
        assertTrue(frames.get(frames.size() - 1).contains("grpc-status: 0"), frames::toString);
        assertEquals(GrpcRig.BIG_BYTES, call.dataBytes);
    }

    /** A SIGHUP's send-timeout (mode=grpc) applies to connections accepted after it; open ones keep theirs. */
    @Test
    void aReloadedSendTimeoutAppliesToNewConnections() throws Exception {
        rig = new GrpcRig(1); // send-timeout's default: 60 s
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.BIG);
        GrpcRig.Client before = rig.client();
        GrpcRig.Call old = before.start(false, GrpcRig.call("/big.Big/Old"), "x");
        // the client's connect completes before the frontend has taken the connection with its settings: a call
        // at the worker proves it has
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (worker.requests.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(1, worker.requests.size(), "the first connection's call reached the worker");

        rig.frontend.reconfigure(OptionParser.parse("mode=grpc,send-timeout=300ms"));
        GrpcRig.Client after = rig.client();
        GrpcRig.Call stalled = after.start(false, GrpcRig.call("/big.Big/New"), "x");
        assertEquals("RST CANCEL", stalled.frames.poll(5, TimeUnit.SECONDS), "the new connection's call is cut");
        assertEquals("RST CANCEL", worker.resets.poll(5, TimeUnit.SECONDS));
        Thread.sleep(300);
        assertNull(old.frames.poll(), "the connection accepted before keeps its 60 s");
    }
}
