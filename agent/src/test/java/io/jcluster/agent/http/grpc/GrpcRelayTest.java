package io.jcluster.agent.http.grpc;

import io.jcluster.agent.config.OptionParser;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls through the grpc frontend to fake workers, over real sockets with Netty's HTTP/2 codec on every side. */
class GrpcRelayTest {

    private GrpcRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aUnaryCallIsRelayedBothWaysWithItsTrailers() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.ECHO);
        GrpcRig.Call call = rig.client().start(GrpcRig.call("/echo.Echo/Say").set("x-app", "a"), "hello");

        List<String> frames = call.untilEnd();
        assertEquals(2, frames.size(), frames::toString);
        assertTrue(frames.get(0).startsWith("HEADERS") && frames.get(0).contains(":status: 200")
                && frames.get(0).contains("x-worker: 0"), frames::toString);
        assertTrue(frames.get(1).contains("grpc-status: 0") && frames.get(1).contains("x-trailer: t0"),
                frames::toString);
        assertEquals("hello", call.body.toString());
        Http2Headers request = worker.requests.get(0);
        assertEquals("/echo.Echo/Say", request.path().toString());
        assertEquals("a", request.get("x-app").toString());
        assertEquals("trailers", request.get("te").toString());
        assertEquals("127.0.0.1", request.get("x-forwarded-for").toString());
    }

    @Test
    void callsOnOneConnectionAreSpreadRoundRobinOverPooledWorkerConnections() throws Exception {
        rig = new GrpcRig(2);
        for (int i = 0; i < 4; i++) {
            rig.worker(GrpcRig.Behaviour.ECHO);
        }
        GrpcRig.Client client = rig.client();
        GrpcRig.Call[] calls = new GrpcRig.Call[40];
        for (int i = 0; i < calls.length; i++) {
            calls[i] = client.start(GrpcRig.call("/echo.Echo/Say"), "m" + i);
        }
        int[] perWorker = new int[4];
        for (GrpcRig.Call call : calls) {
            List<String> frames = call.untilEnd();
            assertTrue(frames.get(frames.size() - 1).contains("grpc-status: 0"), frames::toString);
            perWorker[Integer.parseInt(frames.get(0).replaceAll(".*x-worker: (\\d+).*", "$1"))]++;
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(10, perWorker[i], () -> java.util.Arrays.toString(perWorker));
            assertEquals(10, rig.workers.get(i).requests.size());
            // one connection per worker for the client's event loop: calls are streams on it, not connections
            assertEquals(1, rig.workers.get(i).accepted.size());
        }
    }

    @Test
    void aCallWhoseDeadlinePassesEndsDeadlineExceededAndItsWorkerStreamIsReset() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.HANG);
        GrpcRig.Call call = rig.client().start(GrpcRig.call("/slow.Slow/Wait").set("grpc-timeout", "1S"), "x");

        List<String> frames = call.untilEnd();
        assertTrue(frames.get(0).startsWith("HEADERS"), frames::toString); // the worker's response headers came
        String trailers = frames.get(frames.size() - 1);
        assertTrue(trailers.startsWith("TRAILERS") && trailers.contains("grpc-status: 4")
                && trailers.contains("deadline exceeded"), frames::toString);
        assertEquals("RST CANCEL", worker.resets.poll(5, TimeUnit.SECONDS));
        // the worker gets the deadline too: what was left of it when the call's headers went out, not all again
        String forwarded = worker.requests.get(0).get("grpc-timeout").toString();
        long left = GrpcTimeout.nanos(forwarded);
        assertTrue(left > 0 && left < TimeUnit.SECONDS.toNanos(1), forwarded);
    }

    @Test
    void aDeadlineBeforeAnyResponseIsTrailersOnly() throws Exception {
        rig = new GrpcRig(1);
        rig.worker(GrpcRig.Behaviour.HANG);
        rig.workers.get(0).streams.clear();
        GrpcRig.Call call = rig.client().start(GrpcRig.call("/slow.Slow/Wait").set("grpc-timeout", "0n"));
        List<String> frames = call.untilEnd();
        assertEquals(1, frames.size(), frames::toString);
        assertTrue(frames.get(0).contains(":status: 200") && frames.get(0).contains("grpc-status: 4"),
                frames::toString);
        assertTrue(rig.workers.get(0).requests.isEmpty());
    }

    @Test
    void aMalformedGrpcTimeoutIsInternalAndNeverReachesAWorker() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.ECHO);
        for (String bad : new String[] {"1", "123456789S", "10s", "-1S", "1.5S", "S"}) {
            GrpcRig.Call call = rig.client().start(GrpcRig.call("/x.X/Y").set("grpc-timeout", bad), "x");
            List<String> frames = call.untilEnd();
            assertEquals(1, frames.size(), frames::toString);
            assertTrue(frames.get(0).contains("grpc-status: 13") && frames.get(0).contains("malformed grpc-timeout"),
                    frames::toString);
        }
        assertTrue(worker.requests.isEmpty());
    }

    @Test
    void noWorkerInRotationIsUnavailableTrailersOnly() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.Call call = rig.client().start(GrpcRig.call("/x.X/Y"), "x");
        List<String> frames = call.untilEnd();
        assertEquals(1, frames.size(), frames::toString);
        String only = frames.get(0);
        assertTrue(only.startsWith("TRAILERS") && only.contains(":status: 200")
                && only.contains("content-type: application/grpc") && only.contains("grpc-status: 14")
                && only.contains("no worker is serving"), only);
        assertEquals(1, rig.upstream.noBackend.get());
    }

    @Test
    void workersThatRefuseConnectsAreSkippedThenUnavailable() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker dead = rig.worker(GrpcRig.Behaviour.ECHO);
        GrpcRig.FakeWorker alive = rig.worker(GrpcRig.Behaviour.ECHO);
        dead.kill();
        GrpcRig.Client client = rig.client();
        for (int i = 0; i < 2; i++) { // one of them picks the dead worker first: it goes to the other
            List<String> frames = client.start(GrpcRig.call("/x.X/Y"), "x").untilEnd();
            assertTrue(frames.get(0).contains("x-worker: 1") && frames.get(1).contains("grpc-status: 0"),
                    frames::toString);
        }
        assertEquals(dead.backend, rig.upstream.connectFailures.peek());
        alive.kill();
        rig.upstream.backends.add(dead.backend); // in rotation, and refusing
        List<String> frames = client.start(GrpcRig.call("/x.X/Y"), "x").untilEnd();
        assertTrue(frames.get(0).contains("grpc-status: 14") && frames.get(0).contains("no worker could be reached"),
                frames::toString);
    }

    @Test
    void aWorkerConnectionThatClosesFailsOnlyItsCallsUnavailable() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker killed = rig.worker(GrpcRig.Behaviour.HANG);
        GrpcRig.FakeWorker survivor = rig.worker(GrpcRig.Behaviour.HANG);
        GrpcRig.Client client = rig.client();
        GrpcRig.Call onKilled = client.start(GrpcRig.call("/x.X/Y"), "a");
        GrpcRig.Call onSurvivor = client.start(GrpcRig.call("/x.X/Y"), "b");
        assertTrue(onKilled.next().contains("x-worker: 0"));
        assertTrue(onSurvivor.next().contains("x-worker: 1"));

        killed.kill();
        String trailers = onKilled.next();
        assertTrue(trailers.startsWith("TRAILERS") && trailers.contains("grpc-status: 14")
                && trailers.contains("worker 0 closed its connection"), trailers);

        survivor.release();
        assertTrue(onSurvivor.next().contains("grpc-status: 0"));
        // a new call: the killed worker refuses the connect, so it goes to the survivor
        rig.upstream.backends.remove(survivor.backend);
        rig.upstream.backends.add(survivor.backend);
        GrpcRig.Call next = client.start(GrpcRig.call("/x.X/Y"), "c");
        assertTrue(next.next().contains("x-worker: 1"));
    }

    @Test
    void afterAWorkersGoAwayItsCallsFinishAndNewCallsUseANewConnection() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.HANG);
        GrpcRig.Client client = rig.client();
        GrpcRig.Call inFlight = client.start(GrpcRig.call("/x.X/Y"), "a");
        assertTrue(inFlight.next().startsWith("HEADERS"));
        assertEquals(1, worker.accepted.size());

        worker.goAway(worker.accepted.get(0));
        Thread.sleep(200); // the GOAWAY reaches the parent
        GrpcRig.Call after = client.start(GrpcRig.call("/x.X/Y"), "b");
        assertTrue(after.next().startsWith("HEADERS"), "the new call is served");
        assertEquals(2, worker.accepted.size(), "on a second connection");

        worker.release();
        assertTrue(inFlight.next().contains("grpc-status: 0"), "the call in flight finished on the old connection");
        assertTrue(after.next().contains("grpc-status: 0"));
    }

    @Test
    void aWorkerOutOfRotationGetsNoNewCallsAndItsCallsInFlightFinish() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker leaving = rig.worker(GrpcRig.Behaviour.HANG);
        GrpcRig.FakeWorker staying = rig.worker(GrpcRig.Behaviour.ECHO);
        GrpcRig.Client client = rig.client();
        GrpcRig.Call streaming = client.start(GrpcRig.call("/x.X/Stream"), "a");
        assertTrue(streaming.next().contains("x-worker: 0"));

        rig.upstream.backends.remove(leaving.backend); // a rolling reload withdraws it
        for (int i = 0; i < 4; i++) {
            List<String> frames = client.start(GrpcRig.call("/x.X/Y"), "b").untilEnd();
            assertTrue(frames.get(0).contains("x-worker: 1") && frames.get(1).contains("grpc-status: 0"),
                    frames::toString);
        }
        assertEquals(1, leaving.requests.size());
        leaving.release();
        assertTrue(streaming.next().contains("grpc-status: 0"), "the call in flight finished on its worker");
    }

    @Test
    void aCallTheWorkersGoAwaySaysItNeverProcessedIsRefusedForTheClientToRetry() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.SILENT);
        GrpcRig.Call call = rig.client().start(GrpcRig.call("/x.X/Y"), "a");
        for (int i = 0; i < 100 && worker.requests.isEmpty(); i++) {
            Thread.sleep(20);
        }
        assertEquals(1, worker.requests.size());
        worker.goAway(worker.accepted.get(0), 0); // "I took none of your streams"
        assertEquals(List.of("RST REFUSED_STREAM"), call.untilEnd());
    }

    @Test
    void aSlowClientDoesNotStallAnotherCallOnTheSameWorkerConnectionAndHoldsBackItsWorker() throws Exception {
        rig = new GrpcRig(1); // one event loop: both calls share the one worker connection
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.BIG);
        GrpcRig.Call slow = rig.client().start(false, GrpcRig.call("/big.Big/Slow"), "x");
        Thread.sleep(300); // the slow client's window (64 KiB) fills, and so does its worker stream's

        GrpcRig.Call fast = rig.client().start(GrpcRig.call("/big.Big/Fast"), "y");
        List<String> frames = fast.untilEnd();
        assertTrue(frames.get(frames.size() - 1).contains("grpc-status: 0"), frames::toString);
        assertEquals(GrpcRig.BIG_BYTES, fast.dataBytes);
        assertEquals(1, worker.accepted.size());
        assertTrue(slow.frames.isEmpty() || !slow.frames.contains("TRAILERS"), "the slow call is still waiting");
        // the parent holds a few windows of the slow call, not its response: the worker could not send the rest
        long sent = worker.sent.get("/big.Big/Slow").get();
        assertTrue(sent <= 256 * 1024, () -> "the worker sent " + sent + " bytes of the slow call");

        slow.stream.eventLoop().execute(() -> slow.stream.config().setAutoRead(true));
        List<String> slowFrames = slow.untilEnd();
        assertTrue(slowFrames.get(slowFrames.size() - 1).contains("grpc-status: 0"), slowFrames::toString);
        assertEquals(GrpcRig.BIG_BYTES, slow.dataBytes);
    }

    @Test
    void aLargeUploadToAWorkerThatDoesNotReadIsHeldToAStreamWindowAndAnotherCallStillCompletes() throws Exception {
        rig = new GrpcRig(1); // one event loop: both calls share the one worker connection
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.STALL_UPLOAD);
        GrpcRig.Client client = rig.client();
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        GrpcRig.Call stalled = GrpcRig.upload(client, GrpcRig.call("/up.Up/Stall"), 4 << 20, sent);
        assertTrue(stalled.next().startsWith("HEADERS"), "the worker took the call");
        long before;
        do { // until the client's flow control holds the upload back
            before = sent.get();
            Thread.sleep(300);
        } while (sent.get() != before);

        // the parent holds about a stream window of it: the client's window to the parent (64 KiB), what the
        // parent wrote to the worker's stream and the worker's window (64 KiB), not the 4 MiB the client has
        long upload = sent.get();
        assertTrue(upload <= 320 * 1024, () -> "the client got " + upload + " bytes of its upload out");
        long read = worker.received.get("/up.Up/Stall").get();
        assertTrue(read <= 128 * 1024, () -> "the worker read " + read + " bytes");

        GrpcRig.Call other = client.start(GrpcRig.call("/up.Up/Say"), "y");
        List<String> frames = other.untilEnd();
        assertTrue(frames.get(frames.size() - 1).contains("grpc-status: 0"), frames::toString);
        assertEquals("y", other.body.toString());
        assertEquals(1, worker.accepted.size(), "the same worker connection");
        assertTrue(stalled.frames.isEmpty(), "the stalled call is still waiting");
    }

    @Test
    void forwardingHeadersFromAClientAreReplacedByTheParentsOwn() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.ECHO);
        Http2Headers spoofed = GrpcRig.call("/x.X/Y").add("x-forwarded-for", "6.6.6.6")
                .add("forwarded", "for=6.6.6.6").add("x-real-ip", "6.6.6.6").add("x-forwarded-proto", "https")
                .add("true-client-ip", "6.6.6.6").add("x_forwarded_for", "6.6.6.6");
        rig.client().start(spoofed, "x").untilEnd();

        Http2Headers request = worker.requests.get(0);
        assertEquals(List.of("127.0.0.1"), strings(request.getAll("x-forwarded-for")));
        assertEquals(List.of("127.0.0.1"), strings(request.getAll("x-real-ip")));
        assertEquals(List.of("http"), strings(request.getAll("x-forwarded-proto")));
        assertEquals(List.of("for=127.0.0.1;host=\"example.com:50051\";proto=http"),
                strings(request.getAll("forwarded")));
        assertNull(request.get("true-client-ip"));
        assertNull(request.get("x_forwarded_for"));
        assertFalse(request.toString().contains("6.6.6.6"), request::toString);
    }

    @Test
    void aTrustedProxysForwardedForIsAppendedTo() throws Exception {
        rig = new GrpcRig(1, GrpcRig.limits(100),
                OptionParser.parse("mode=grpc,trusted-proxies=127.0.0.1").http().trustedProxies());
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.ECHO);
        rig.client().start(GrpcRig.call("/x.X/Y").add("x-forwarded-for", "203.0.113.7")
                .add("x-forwarded-proto", "https"), "x").untilEnd();
        Http2Headers request = worker.requests.get(0);
        assertEquals(List.of("203.0.113.7, 127.0.0.1"), strings(request.getAll("x-forwarded-for")));
        assertEquals(List.of("https"), strings(request.getAll("x-forwarded-proto")));
        assertEquals("203.0.113.7", request.get("x-real-ip").toString());
    }

    @Test
    void aWorkersResetReachesTheClientWithItsCode() throws Exception {
        rig = new GrpcRig(1);
        rig.worker(GrpcRig.Behaviour.REFUSE);
        GrpcRig.Call call = rig.client().start(GrpcRig.call("/x.X/Y"), "a");
        // REFUSED_STREAM: not processed, which a gRPC client retries transparently (and is balanced anew)
        assertEquals(List.of("RST REFUSED_STREAM"), call.untilEnd());
    }

    @Test
    void aClientResetCancelsItsWorkerStream() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.HANG);
        GrpcRig.Call call = rig.client().start(GrpcRig.call("/x.X/Y"), "a");
        assertTrue(call.next().startsWith("HEADERS"));
        call.stream.close(); // RST_STREAM(CANCEL)
        assertEquals("RST CANCEL", worker.resets.poll(5, TimeUnit.SECONDS));
    }

    private static List<String> strings(List<CharSequence> values) {
        return values.stream().map(CharSequence::toString).toList();
    }
}
