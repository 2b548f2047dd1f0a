package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.jcluster.agent.http.proxy.FakeUpstream.exchange;
import static io.jcluster.agent.http.proxy.FakeUpstream.fresh;
import static io.jcluster.agent.http.proxy.FakeUpstream.refused;
import static io.jcluster.agent.http.proxy.FakeUpstream.settings;
import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exchange's state machine on a client connection (an EmbeddedChannel) whose requests go to workers that are
 * EmbeddedChannels too: pooled ones (a {@link LoopSharedPool} of the test's own) and fresh ones a connect hands
 * out. Each transition and each error path, from the request head to the next request on the same connection.
 * Timeouts are in {@link ExchangeDeadlinesTest}.
 */
class ExchangeTest {

    private static final String GET = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private final FakeUpstream upstream = new FakeUpstream(2);
    private final Backend first = upstream.backends[0];
    private final LoopSharedPool pool = new LoopSharedPool();

    private EmbeddedChannel pooledWorker(Backend backend) {
        EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(backend, pool));
        pool.offer(backend, worker);
        return worker;
    }

    private EmbeddedChannel client() {
        return upstream.client(settings(), pool);
    }

    @Test
    void aRequestGoesToAPooledWorkerItsResponseBackAndTheConnectionAwaitsTheNext() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);

        client.writeInbound(ascii(GET));
        assertEquals(Exchange.State.FORWARDING, exchange(client).state);
        String head = drain(worker);
        assertTrue(head.startsWith("GET /a HTTP/1.1\r\nHost: x\r\nx-forwarded-for: "), head);
        assertEquals(0, pool.idle(first), "lent to the exchange");

        worker.writeInbound(ascii(OK));
        assertEquals(OK, drain(client), "an unchanged head goes on as it came, with its body");
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);
        assertEquals(1, pool.idle(first), "back in the pool");
        assertEquals(2, upstream.toClient);

        client.writeInbound(ascii("GET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertTrue(drain(worker).startsWith("GET /b "), "the next request reuses the pooled connection");
        worker.writeInbound(ascii(OK));
        assertEquals(OK, drain(client));
        assertTrue(client.isOpen() && worker.isOpen());
        assertTrue(upstream.connectedTo.isEmpty(), "no connect was needed");
    }

    @Test
    void pipelinedRequestsAreSentOneAtATimeAndAnsweredInOrder() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"));
        String sent = drain(worker);
        assertTrue(sent.startsWith("GET /1 ") && !sent.contains("GET /2"), sent);

        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"));
        assertTrue(drain(worker).startsWith("GET /2 "), "the second goes out once the first is answered");
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2"));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2",
                drain(client));
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);
    }

    @Test
    void aHeadStillHeldByAPendingWriteIsNotOverwrittenByTheNextRequestsHead() {
        // the worker's channel keeps what it was sent (an EmbeddedChannel's outbound queue, as a socket's outbound
        // buffer holds a write not yet out) while the exchange reuses its head buffer for the next request
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1"));
        ByteBuf firstHead = worker.readOutbound();
        ByteBuf secondHead = worker.readOutbound();
        try {
            assertTrue(firstHead.toString(StandardCharsets.ISO_8859_1).startsWith("GET /1 "),
                    firstHead.toString(StandardCharsets.ISO_8859_1));
            assertTrue(secondHead.toString(StandardCharsets.ISO_8859_1).startsWith("GET /2 "),
                    secondHead.toString(StandardCharsets.ISO_8859_1));
        } finally {
            firstHead.release();
            secondHead.release();
        }
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n2"));
        client.writeInbound(ascii("GET /3 HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertTrue(drain(worker).startsWith("GET /3 "), "once no write holds it, the buffer serves again");
        drain(client);
        client.close();
    }

    @Test
    void aClientThatClosesMidBodyTakesTheWorkerConnectionWithIt() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        Exchange exchange = exchange(client);
        client.writeInbound(ascii("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
        assertTrue(drain(worker).endsWith("\r\n\r\nabc"));
        client.close();
        assertEquals(Exchange.State.CLOSED, exchange.state);
        assertFalse(worker.isOpen(), "a half-sent body leaves the worker connection out of step");
        assertEquals(0, pool.idle(first));
    }

    @Test
    void aWorkerThatClosesBeforeAnsweringANonIdempotentRequestGets502AndNoRetry() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("POST /order HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
        drain(worker);
        worker.close();
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 502 Bad Gateway\r\n") && answer.contains("closed the connection"),
                answer);
        assertTrue(upstream.connectedTo.isEmpty(), "the worker may have acted on it: not sent again");
        assertFalse(client.isOpen());
    }

    @Test
    void anIdempotentRequestOnAPooledConnectionTheWorkerClosedIsSentAgainOnAFreshOne() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel again = fresh();
        upstream.connects.add(again);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        String head = drain(worker);
        worker.close();
        client.runPendingTasks();
        assertEquals(1, upstream.connectedTo.size());
        assertEquals(head, drain(again), "the same head, again");
        assertEquals(Exchange.State.FORWARDING, exchange(client).state);
        again.writeInbound(ascii(OK));
        assertEquals(OK, drain(client));
        assertEquals(1, pool.idle(first), "the new connection is pooled");
    }

    @Test
    void resendsAreBounded() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel second = fresh();
        EmbeddedChannel third = fresh();
        upstream.connects.add(second);
        upstream.connects.add(third);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        worker.close();
        client.runPendingTasks();
        second.close();
        client.runPendingTasks();
        assertTrue(drain(client).isEmpty(), "two resends so far");
        third.close();
        client.runPendingTasks();
        assertEquals(RetryPolicy.MAX_RESENDS, upstream.connectedTo.size());
        assertTrue(drain(client).startsWith("HTTP/1.1 502 "));
    }

    @Test
    void aRefusedConnectTriesAnotherWorkerAndNoneLeftIs502() {
        upstream.connects.add(refused());
        upstream.connects.add(refused());
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        client.runPendingTasks();
        assertEquals(upstream.connectFailures, List.of(upstream.backends));
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 502 ") && answer.contains("2 tried"), answer);
        assertEquals(1, upstream.noBackendAvailable);
    }

    @Test
    void noWorkerInRotationIs503WithRetryAfter() {
        FakeUpstream none = new FakeUpstream(0);
        EmbeddedChannel client = none.client(settings(), pool);
        client.writeInbound(ascii(GET));
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 503 ") && answer.contains("retry-after: 1\r\n"), answer);
    }

    @Test
    void aWorkerThatClosesMidResponseClosesTheClient() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
        assertTrue(drain(client).endsWith("abc"));
        worker.close();
        assertFalse(client.isOpen(), "closing is how the client learns the response was cut");
        assertEquals("", drain(client));
    }

    @Test
    void aMalformedResponseIs502() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nok"));
        assertTrue(drain(client).startsWith("HTTP/1.1 502 "));
        assertFalse(worker.isOpen());
    }

    @Test
    void bytesAfterTheEndOfAResponseKeepTheWorkerConnectionOutOfThePool() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        worker.writeInbound(ascii(OK + "HTTP/1.1 200 OK\r\n"));
        assertEquals(OK, drain(client));
        assertEquals(0, pool.idle(first));
        assertFalse(worker.isOpen());
        assertTrue(client.isOpen(), "the client's side is in step");
    }

    @Test
    void aBodyEndedByClosingIsRechunkedForAnHttp11Client() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\n\r\nabc"));
        assertEquals("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n", drain(client));
        worker.close();
        assertEquals("0\r\n\r\n", drain(client));
        assertTrue(client.isOpen(), "the client keeps its connection");
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);
    }

    @Test
    void aBodyEndedByClosingGoesAsItCameToAnHttp10ClientAndEndsItsConnection() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("GET /a HTTP/1.0\r\nHost: x\r\n\r\n"));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\n\r\nabc"));
        assertEquals("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nabc", drain(client));
        assertTrue(client.isOpen());
        worker.close();
        assertFalse(client.isOpen());
    }

    @Test
    void aChunkedBodyIsDechunkedForAnHttp10Client() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("GET /a HTTP/1.0\r\nHost: x\r\n\r\n"));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
        assertEquals("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nabcde", drain(client));
        assertFalse(client.isOpen());
        assertEquals(1, pool.idle(first), "the worker's side ended in step");
    }

    @ParameterizedTest
    @CsvSource({"HEAD, 200 OK", "GET, 204 No Content", "GET, 304 Not Modified"})
    void responsesWithoutABodyEndWithTheirHead(String method, String status) {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(method + " /a HTTP/1.1\r\nHost: x\r\n\r\n"));
        String response = "HTTP/1.1 " + status + "\r\nContent-Length: 100\r\n\r\n";
        worker.writeInbound(ascii(response));
        assertEquals(response, drain(client));
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state, "the response is complete");
        assertEquals(1, pool.idle(first));
    }

    @Test
    void informationalResponsesGoOnBeforeTheFinalOne() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        worker.writeInbound(ascii("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"));
        assertEquals("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n", drain(client));
        assertEquals(Exchange.State.FORWARDING, exchange(client).state);
        assertFalse(exchange(client).responseStarted);
        worker.writeInbound(ascii(OK));
        assertEquals(OK, drain(client));
        assertEquals(1, pool.idle(first));
    }

    @Test
    void aContinueLetsTheBodyFollowAndTheConnectionIsReused() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"));
        assertTrue(exchange(client).awaitingContinue);
        drain(worker);
        worker.writeInbound(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
        assertEquals("HTTP/1.1 100 Continue\r\n\r\n", drain(client));
        assertFalse(exchange(client).awaitingContinue);
        client.writeInbound(ascii("hi"));
        assertEquals("hi", drain(worker));
        worker.writeInbound(ascii(OK));
        assertEquals(OK, drain(client));
        assertEquals(1, pool.idle(first));
    }

    @ParameterizedTest
    @CsvSource({"414, 9000, 0", "431, 0, 17000"})
    void anOversizedHeadIsAnsweredWithItsStatusAndReachesNoWorker(int status, int pathLength, int headerLength) {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        Exchange exchange = exchange(client);
        client.writeInbound(ascii("GET /" + "p".repeat(pathLength) + " HTTP/1.1\r\nHost: x\r\n"
                + (headerLength > 0 ? "X-Big: " + "v".repeat(headerLength) + "\r\n" : "") + "\r\n"));
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), answer);
        assertEquals("", drain(worker));
        assertEquals(Exchange.State.CLOSED, exchange.state);
        assertFalse(client.isOpen());
    }

    @Test
    void anUpgradeGoesOverAFreshConnectionAndIsHandedToATunnelAfterThe101() {
        EmbeddedChannel pooled = pooledWorker(first);
        EmbeddedChannel worker = fresh();
        upstream.connects.add(worker);
        EmbeddedChannel client = client();
        client.writeInbound(ascii("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
        client.runPendingTasks();
        assertEquals("", drain(pooled), "never a pooled connection: it becomes the tunnel");
        String head = drain(worker);
        assertTrue(head.contains("Upgrade: websocket\r\n") && head.contains("connection: upgrade\r\n"), head);
        client.writeInbound(ascii("EARLY")); // the client's first frame, before the 101

        worker.writeInbound(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade"
                + "\r\n\r\nFRAME"));
        assertEquals("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nconnection: upgrade\r\n\r\nFRAME",
                drain(client));
        assertEquals("EARLY", drain(worker), "the client's early bytes follow to the worker");
        assertNotNull(upstream.tunnel);
        assertSame(client, upstream.tunnel[0]);
        assertSame(worker, upstream.tunnel[1]);
        assertNull(client.pipeline().get(HttpProxyHandler.class));
        assertNull(worker.pipeline().get(BackendResponseHandler.class));
        assertEquals(0, first.openConnections(), "the tunnel took the lease over (and the test's released it)");
    }

    @Test
    void a101ThatWasNotAskedForIs502() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        worker.writeInbound(ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"));
        assertTrue(drain(client).startsWith("HTTP/1.1 502 "));
        assertFalse(worker.isOpen());
        assertNull(upstream.tunnel);
    }

    @Test
    void whileTheWorkerTakesNoMoreBodyTheClientIsNotReadAndThenItIsAgain() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        worker.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        int before = FakeUpstream.Reads.of(client);
        client.writeInbound(ascii("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
        assertTrue(exchange(client).awaitingBackendWritable);
        assertEquals(before, FakeUpstream.Reads.of(client), "no read while the worker's connection is full");

        worker.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        worker.runPendingTasks(); // the writability change is announced as a task
        assertFalse(exchange(client).awaitingBackendWritable);
        assertEquals(before + 1, FakeUpstream.Reads.of(client), "reading resumes");
        client.writeInbound(ascii("defghij"));
        assertTrue(drain(worker).endsWith("abcdefghij"));
        assertTrue(exchange(client).requestSent);
    }

    @Test
    void aClientThatCannotTakeMoreStopsTheWorkersReads() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertFalse(exchange(client).clientWritable(), "BackendResponseHandler asks for no next read then");
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        assertTrue(exchange(client).clientWritable());
        worker.writeInbound(ascii(OK));
        assertEquals(OK, drain(client));
    }

    @Test
    void aClientThatHalfClosesGetsItsAnswerThenTheConnectionEnds() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET));
        client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertTrue(client.isOpen(), "the request in progress is answered");
        worker.writeInbound(ascii(OK));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nconnection: close\r\n\r\nok", drain(client));
        assertFalse(client.isOpen());
        assertEquals(1, pool.idle(first), "the worker's side is in step: pooled");
    }

    @Test
    void aHalfCloseMidResponseEndsTheConnectionAfterItAndDropsWhatWasPipelined() {
        EmbeddedChannel worker = pooledWorker(first);
        EmbeddedChannel client = client();
        client.writeInbound(ascii(GET + GET));
        drain(worker);
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\no"));
        client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertTrue(client.isOpen(), "the response in progress is finished");
        worker.writeInbound(ascii("k"));
        assertEquals(OK, drain(client));
        assertFalse(client.isOpen(), "and is the last");
        assertEquals("", drain(worker), "the pipelined request is not sent");
        assertEquals(1, pool.idle(first));
    }

    @Test
    void aStickyRequestGoesToItsWorkerAndTheOthersAreBalanced() {
        EmbeddedChannel zero = pooledWorker(upstream.backends[0]);
        EmbeddedChannel one = pooledWorker(upstream.backends[1]);
        EmbeddedChannel client = upstream.client(FakeUpstream.settings(Duration.ofSeconds(10),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60),
                "cookie"), pool);
        client.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\nCookie: JCLUSTER=w1\r\n\r\n"));
        assertTrue(drain(one).startsWith("GET /a "), "pinned by its cookie");
        one.writeInbound(ascii(OK));
        assertEquals(OK, drain(client), "the cookie already names the worker that served: no Set-Cookie");

        client.writeInbound(ascii(GET));
        assertTrue(drain(zero).startsWith("GET /a "), "no cookie: the strategy's pick");
        zero.writeInbound(ascii(OK));
        String answer = drain(client);
        assertTrue(answer.contains("set-cookie: JCLUSTER=w0; Path=/; HttpOnly; SameSite=Lax\r\n"), answer);
    }
}
