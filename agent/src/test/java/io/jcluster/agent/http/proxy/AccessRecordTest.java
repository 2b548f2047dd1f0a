package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.log.AccessLog;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.jcluster.agent.http.proxy.FakeUpstream.settings;
import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * access-log=: one line per request however its response ends (relayed, the parent's own error, the client gone),
 * with what the request's head said before it was rewritten.
 */
class AccessRecordTest {

    private final FakeUpstream upstream = new FakeUpstream(2);
    private final Backend first = upstream.backends[0];
    private final LoopSharedPool pool = new LoopSharedPool();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final AccessLog log = AccessLog.to(written, false, 64);

    private EmbeddedChannel pooledWorker(Backend backend) {
        EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(backend, pool));
        pool.offer(backend, worker);
        return worker;
    }

    private EmbeddedChannel client() {
        return upstream.client(settings().withAccessLog(log), pool);
    }

    private List<String> lines() {
        log.close();
        return written.toString(StandardCharsets.UTF_8).lines()
                .map(line -> line.replaceFirst("\\[[^]]+]", "[T]").replaceFirst("duration=\\d+\\.\\d{3}$", "duration=D"))
                .toList();
    }

    @Test
    void aRelayedResponseIsLoggedWithItsRequestWorkerStatusAndBodyBytes() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("GET /a?q=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8.5.0\r\nREFERER: http://r/\r\n"
                + "X-Forwarded-For: 6.6.6.6\r\n\r\n"));
        drain(worker);
        worker.writeInbound(ascii("HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello"));
        drain(client);
        client.writeInbound(ascii("HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        drain(worker);
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
        drain(client);
        assertEquals(List.of(
                "- - - [T] \"GET /a?q=1 HTTP/1.1\" 201 5 \"http://r/\" \"curl/8.5.0\" worker=0 duration=D",
                "- - - [T] \"HEAD /b HTTP/1.1\" 200 0 \"-\" \"-\" worker=0 duration=D"), lines());
    }

    @Test
    void theParentsOwnAnswersAreLoggedWithoutAWorker() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("POST /order HTTP/1.0\r\nContent-Length: 0\r\n\r\n"));
        drain(worker);
        worker.close(); // before answering a request that may not be sent again
        assertTrue(drain(client).startsWith("HTTP/1.1 502 "));
        EmbeddedChannel other = client();
        other.writeInbound(ascii("GET /\u0001 HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertTrue(drain(other).startsWith("HTTP/1.1 400 "));
        assertEquals(List.of(
                "- - - [T] \"POST /order HTTP/1.0\" 502 0 \"-\" \"-\" worker=- duration=D",
                "- - - [T] \"-\" 400 0 \"-\" \"-\" worker=- duration=D"), lines());
    }

    @Test
    void aClientThatLeavesBeforeItsAnswerIs499AndACutResponseKeepsItsStatus() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
        drain(worker);
        client.close();
        EmbeddedChannel cutWorker = pooledWorker(first);
        EmbeddedChannel cutClient = client();
        cutClient.writeInbound(ascii("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
        drain(cutWorker);
        cutWorker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
        cutWorker.close();
        drain(cutClient);
        assertEquals(List.of(
                "- - - [T] \"GET /slow HTTP/1.1\" 499 0 \"-\" \"-\" worker=0 duration=D",
                "- - - [T] \"GET /big HTTP/1.1\" 200 3 \"-\" \"-\" worker=0 duration=D"), lines());
    }
}
