package io.jcluster.agent.http.grpc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** access-log= in mode=grpc: one line per call, with its path, HTTP status, grpc-status, bytes both ways, worker. */
class GrpcAccessLogTest {

    private GrpcRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aRelayedCallIsOneLineWithItsGrpcStatusAndBytesBothWays() throws Exception {
        rig = new GrpcRig(1);
        rig.worker(GrpcRig.Behaviour.ECHO);
        rig.client().start(GrpcRig.call("/echo.Echo/Say").set("user-agent", "grpc-java-netty/1.70.0"), "hello")
                .untilEnd();
        List<String> lines = rig.accessLines(1);
        assertEquals(1, lines.size(), lines::toString);
        String line = lines.get(0);
        assertTrue(line.startsWith("127.0.0.1 - - ["), line);
        assertTrue(line.contains("] \"POST /echo.Echo/Say HTTP/2.0\" 200 5 \"-\" \"grpc-java-netty/1.70.0\" worker=0 "),
                line);
        assertTrue(line.endsWith(" grpc-status=0 request-bytes=5"), line);
    }

    @Test
    void theParentsOwnAnswersAreLoggedWithTheirGrpcStatus() throws Exception {
        rig = new GrpcRig(1);
        rig.client().start(GrpcRig.call("/x.X/Unavailable"), "x").untilEnd(); // no worker in rotation
        rig.worker(GrpcRig.Behaviour.HANG);
        rig.client().start(GrpcRig.call("/slow.Slow/Wait").set("grpc-timeout", "1S"), "x").untilEnd();
        List<String> lines = rig.accessLines(2);
        assertEquals(2, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains("\"POST /x.X/Unavailable HTTP/2.0\" 200 0 \"-\" \"-\" worker=- ")
                && lines.get(0).endsWith(" grpc-status=14 request-bytes=0"), lines::toString);
        // the worker's response headers went out before the deadline passed: its call, the parent's trailers
        assertTrue(lines.get(1).contains("\"POST /slow.Slow/Wait HTTP/2.0\" 200 0 \"-\" \"-\" worker=0 ")
                && lines.get(1).contains(" grpc-status=4 "), lines::toString);
    }

    @Test
    void aCallRefusedBeforeAnyWorkerIsLoggedToo() throws Exception {
        rig = new GrpcRig(1);
        rig.worker(GrpcRig.Behaviour.ECHO);
        rig.client().start(GrpcRig.call("/x.X/Bad").set("grpc-timeout", "10s"), "x").untilEnd();
        List<String> lines = rig.accessLines(1);
        assertEquals(1, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains("\"POST /x.X/Bad HTTP/2.0\" 200 0 \"-\" \"-\" worker=- ")
                && lines.get(0).endsWith(" grpc-status=13 request-bytes=0"), lines::toString);
    }

    @Test
    void aCallItsClientCancelsBeforeAnyResponseIs499WithoutAGrpcStatus() throws Exception {
        rig = new GrpcRig(1);
        GrpcRig.FakeWorker worker = rig.worker(GrpcRig.Behaviour.SILENT);
        GrpcRig.Call call = rig.client().start(GrpcRig.call("/x.X/Cancelled"), "a");
        for (int i = 0; i < 100 && worker.requests.isEmpty(); i++) {
            Thread.sleep(20);
        }
        call.stream.close(); // RST_STREAM(CANCEL)
        List<String> lines = rig.accessLines(1);
        assertEquals(1, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains("\"POST /x.X/Cancelled HTTP/2.0\" 499 0 ")
                && lines.get(0).contains(" worker=- ") && !lines.get(0).contains("grpc-status"), lines::toString);
    }
}
