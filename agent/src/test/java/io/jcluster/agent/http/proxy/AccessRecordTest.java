package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.log.AccessLog;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

    /**
     * Every answer the parent makes itself is one line, with its status and no worker: a malformed head (400), headers
     * over the limit (431), an expectation it does not meet (417), no worker (503), a head that stops coming (408),
     * a worker that does not answer (504). The connection's close afterwards adds none.
     */
    @Test
    void everyAnswerOfTheParentIsLoggedOnce() throws Exception {
        EmbeddedChannel malformed = client();
        malformed.writeInbound(ascii("GET / HTTP/1.1\r\nHost x\r\n\r\n"));
        EmbeddedChannel tooLarge = client();
        tooLarge.writeInbound(ascii("GET /big HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "b".repeat(HttpSettings.MAX_REQUEST_HEADERS) + "\r\n\r\n"));
        EmbeddedChannel expecting = client();
        expecting.writeInbound(ascii("PUT /e HTTP/1.1\r\nHost: x\r\nExpect: the-moon\r\nContent-Length: 1\r\n\r\n"));
        EmbeddedChannel noWorker = new FakeUpstream(0).client(settings().withAccessLog(log), pool);
        noWorker.writeInbound(ascii("GET /none HTTP/1.1\r\nHost: x\r\n\r\n"));
        Duration shortly = Duration.ofMillis(50);
        Duration longer = Duration.ofSeconds(60);
        EmbeddedChannel slowHead = upstream.client(settings(shortly, longer, longer, longer, "off").withAccessLog(log),
                pool);
        slowHead.writeInbound(ascii("GET /slow-head HTTP/1.1\r\nHost: x\r\n"));
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel slowWorker = upstream.client(settings(longer, longer, shortly, longer, "off")
                .withAccessLog(log), pool);
        slowWorker.writeInbound(ascii("GET /slow-worker HTTP/1.1\r\nHost: x\r\n\r\n"));
        drain(worker);
        Thread.sleep(150);
        slowHead.runPendingTasks();
        slowWorker.runPendingTasks();
        List<EmbeddedChannel> clients = List.of(malformed, tooLarge, expecting, noWorker, slowHead, slowWorker);
        List<String> statuses = new java.util.ArrayList<>();
        for (EmbeddedChannel client : clients) {
            statuses.add(drain(client).substring(9, 12));
            client.close();
        }
        assertEquals(List.of("400", "431", "417", "503", "408", "504"), statuses);
        assertEquals(List.of(
                "- - - [T] \"-\" 400 0 \"-\" \"-\" worker=- duration=D",
                "- - - [T] \"-\" 431 0 \"-\" \"-\" worker=- duration=D",
                "- - - [T] \"PUT /e HTTP/1.1\" 417 0 \"-\" \"-\" worker=- duration=D",
                "- - - [T] \"GET /none HTTP/1.1\" 503 0 \"-\" \"-\" worker=- duration=D",
                "- - - [T] \"-\" 408 0 \"-\" \"-\" worker=- duration=D",
                "- - - [T] \"GET /slow-worker HTTP/1.1\" 504 0 \"-\" \"-\" worker=- duration=D"), lines());
    }

    /**
     * A client max-connections turned away (the connection cap, max-queue full, queue-timeout) gets its 503 logged
     * once, like nginx logs its own 503s: its request, no worker. One that never sends a request is not logged.
     */
    @Test
    void aClientTurnedAwayByTheConnectionLimitIsLoggedWithIts503() {
        HttpSettings withLog = settings().withAccessLog(log);
        EmbeddedChannel turnedAway = new EmbeddedChannel(new HttpRequestDecoder(),
                new RejectHandler("max-queue=0 is full", withLog));
        turnedAway.writeInbound(ascii("GET /busy?x=\"1\" HTTP/1.1\r\nHost: x\r\nUser-Agent: load/1.0\r\n"
                + "Referer: http://r/\r\n\r\nGET /pipelined HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertTrue(drain(turnedAway).startsWith("HTTP/1.1 503 "));
        turnedAway.close();
        EmbeddedChannel garbage = new EmbeddedChannel(new HttpRequestDecoder(),
                new RejectHandler("queue-timeout", withLog));
        garbage.writeInbound(ascii("\u0001\u0002 nonsense\r\n\r\n"));
        assertTrue(drain(garbage).startsWith("HTTP/1.1 503 "));
        garbage.close();
        EmbeddedChannel silent = new EmbeddedChannel(new HttpRequestDecoder(), new RejectHandler("max-connections",
                withLog));
        silent.close();
        assertEquals(List.of(
                "- - - [T] \"GET /busy?x=\\x221\\x22 HTTP/1.1\" 503 0 \"http://r/\" \"load/1.0\" worker=- duration=D",
                "- - - [T] \"-\" 503 0 \"-\" \"-\" worker=- duration=D"), lines());
    }

    /**
     * An answer from the cache is logged with its duration from the request's first byte, like any other, and with
     * no worker (not the one that answered the connection's previous request).
     */
    @Test
    void aCachedAnswersDurationCountsFromTheRequestsFirstByte() throws Exception {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        AccessLog jsonLog = AccessLog.to(json, true, 64);
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = upstream.client(settings().withCache(
                new io.jcluster.agent.http.cache.ResponseCache(1 << 20, 64 << 10), true).withAccessLog(jsonLog), pool);
        client.writeInbound(ascii("GET /c HTTP/1.1\r\nHost: x\r\n\r\n"));
        drain(worker);
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 2\r\n\r\nok"));
        drain(client);
        client.writeInbound(ascii("GET /c HTTP/1.1\r\n"));
        Thread.sleep(60);
        client.writeInbound(ascii("Host: x\r\n\r\n"));
        String hit = drain(client);
        assertTrue(hit.toLowerCase(java.util.Locale.ROOT).contains("x-cache: hit"), hit);
        jsonLog.close();
        List<String> lines = json.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        double millis = Double.parseDouble(lines.get(1).replaceFirst(".*\"duration_ms\":([0-9.]+)}$", "$1"));
        assertTrue(millis >= 50 && millis < 60_000, "the hit took its head's 60 ms to arrive: " + lines.get(1));
        assertTrue(lines.get(0).contains("\"worker\":0,"), lines.get(0));
        assertTrue(lines.get(1).contains("\"worker\":null,"), "no worker answered the hit: " + lines.get(1));
    }
}
