package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.jcluster.agent.http.proxy.FakeUpstream.exchange;
import static io.jcluster.agent.http.proxy.FakeUpstream.settings;
import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exchange's one deadline in each state ({@link Deadlines}): idle-timeout between requests (closed without a
 * word), header-timeout for a head begun (408), response-timeout for the worker's answer (504). The deadline
 * compares with System.nanoTime(), so the tests wait 150 ms past a 50 ms timeout, then run the channel's timer.
 * body-timeout is in {@link BodyTimeoutTest}.
 */
class ExchangeDeadlinesTest {

    private static final Duration SHORT = Duration.ofMillis(50);
    private static final Duration LONG = Duration.ofSeconds(60);

    private final FakeUpstream upstream = new FakeUpstream(1);
    private final Backend backend = upstream.backends[0];
    private final LoopSharedPool pool = new LoopSharedPool();
    private final EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(backend, pool));

    private EmbeddedChannel client(Duration header, Duration idle, Duration response) {
        pool.offer(backend, worker);
        return upstream.client(settings(header, idle, response, LONG, "off"), pool);
    }

    private static void pastTheDeadline(EmbeddedChannel client) throws InterruptedException {
        Thread.sleep(150);
        client.runPendingTasks();
    }

    @Test
    void anIdleConnectionIsClosedWithoutAnAnswer() throws Exception {
        EmbeddedChannel client = client(LONG, SHORT, LONG);
        pastTheDeadline(client);
        assertEquals("", drain(client));
        assertFalse(client.isOpen());
    }

    @Test
    void aHeadThatStopsComingGets408() throws Exception {
        EmbeddedChannel client = client(SHORT, LONG, LONG);
        client.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\n"));
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);
        pastTheDeadline(client);
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 408 ") && answer.contains("header-timeout=50ms"), answer);
        assertFalse(client.isOpen());
        assertEquals("", drain(worker));
    }

    @Test
    void theNextRequestOnAKeptConnectionGetsTheIdleTimeoutNotTheResponseOne() throws Exception {
        EmbeddedChannel client = client(LONG, LONG, SHORT);
        client.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        drain(client);
        pastTheDeadline(client);
        assertTrue(client.isOpen(), "an answered request leaves no response deadline behind");
    }

    @Test
    void aWorkerThatDoesNotAnswerGets504AndItsConnectionClosed() throws Exception {
        EmbeddedChannel client = client(LONG, LONG, SHORT);
        client.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
        drain(worker);
        pastTheDeadline(client);
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 504 ") && answer.contains("response-timeout=50ms"), answer);
        assertFalse(worker.isOpen());
        assertEquals(0, pool.idle(backend));
    }

    @Test
    void aResponseInProgressIsNotTimedOut() throws Exception {
        EmbeddedChannel client = client(LONG, LONG, SHORT);
        client.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"));
        pastTheDeadline(client);
        assertTrue(client.isOpen());
        worker.writeInbound(ascii("cd"));
        assertTrue(drain(client).endsWith("abcd"));
    }
}
