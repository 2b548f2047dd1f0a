package io.jcluster.agent.http.proxy;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.http.h2.H2TestClient;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client max-connections turned away gets its 503 in the protocol it speaks: an h2c client (prior knowledge) gets
 * HTTP/2 frames, since HTTP/1.1 bytes are a protocol error to it; an HTTP/1.1 client on the same listener gets
 * HTTP/1.1.
 */
class HttpFrontendRejectTest {

    private static EmbeddedChannel turnedAway(String options) throws Exception {
        HttpFrontend frontend = HttpFrontend.of(OptionParser.parse("mode=http," + options), false);
        EmbeddedChannel client = new EmbeddedChannel();
        client.config().setAutoRead(false);
        frontend.reject(client, new FakeUpstream(1), "max-connections=1");
        return client;
    }

    @Test
    void anH2cClientGetsA503WithRetryAfterAsFramesThenGoAway() throws Exception {
        EmbeddedChannel client = turnedAway("http2=on,queue-timeout=7s");
        H2TestClient h2 = new H2TestClient(client).preface().headers(1, H2TestClient.get("/"), true)
                .headers(3, H2TestClient.get("/other"), true).send();
        assertTrue(h2.sawFrame("SETTINGS"), h2.frames.toString());
        String head = h2.frames.stream().filter(frame -> frame.startsWith("HEADERS 1 ")).findFirst()
                .orElseThrow(() -> new AssertionError("no response on stream 1: " + h2.frames));
        assertTrue(head.contains(":status=503") && head.contains("retry-after: 7"), head);
        assertTrue(h2.bodies.toString().contains("connection limit (max-connections=1)"), h2.bodies.toString());
        assertTrue(h2.sawFrame("DATA 1 ") && h2.frames.stream().anyMatch(f -> f.startsWith("DATA 1 ") && f.endsWith(" end")),
                h2.frames.toString());
        // stream 3 was not processed: the GOAWAY says so (its last stream is 1), so the client may send it again
        assertTrue(h2.sawFrame("GOAWAY 1 NO_ERROR"), h2.frames.toString());
        assertFalse(h2.frames.stream().anyMatch(f -> f.startsWith("HEADERS 3 ")), h2.frames.toString());
        client.runPendingTasks();
        assertFalse(client.isOpen(), "closed after the GOAWAY");
    }

    @Test
    void anH2cClientTurnedAwayIsAccessLoggedAsHttp2WithIts503(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("access.log");
        HttpFrontend frontend = HttpFrontend.of(OptionParser.parse("mode=http,http2=on,access-log=" + file), false);
        EmbeddedChannel client = new EmbeddedChannel();
        client.config().setAutoRead(false);
        frontend.reject(client, new FakeUpstream(1), "max-connections=1");
        new H2TestClient(client).preface().headers(1, H2TestClient.get("/busy").add("user-agent", "load/2"), true)
                .send();
        frontend.accessLog().close();
        String log = java.nio.file.Files.readString(file);
        assertTrue(log.contains("\"GET /busy HTTP/2.0\" 503 ") && log.contains("\"load/2\"")
                && log.contains("worker=-"), log);
    }

    @Test
    void anHttp11ClientOnTheSameListenerStillGetsHttp11() throws Exception {
        EmbeddedChannel client = turnedAway("http2=on,queue-timeout=7s");
        client.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 503 ") && answer.contains("retry-after: 7"), answer);
    }

    @Test
    void aPlainListenerWithoutHttp2AnswersHttp11AsBefore() throws Exception {
        EmbeddedChannel client = turnedAway("queue-timeout=7s");
        client.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 503 ") && answer.contains("retry-after: 7"), answer);
    }
}
