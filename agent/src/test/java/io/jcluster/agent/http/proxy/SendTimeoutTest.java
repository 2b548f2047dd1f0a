package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.jcluster.agent.http.proxy.FakeUpstream.settings;
import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * send-timeout on an HTTP/1.1 client connection ({@link Deadlines#send}): a client that stops taking a response
 * (its channel unwritable: a TCP window at zero, here a user-defined writability bit) holds the exchange and its
 * worker connection for send-timeout at most; one that takes bytes again in time is not cut. As in
 * {@link ExchangeDeadlinesTest}, the tests wait 150 ms past a 50 ms timeout, then run the channel's timer.
 * HTTP/2 streams: {@link H2ProxyTest}.
 */
class SendTimeoutTest {

    private static final Duration SHORT = Duration.ofMillis(50);
    private static final Duration LONG = Duration.ofSeconds(60);

    private final FakeUpstream upstream = new FakeUpstream(1);
    private final Backend backend = upstream.backends[0];
    private final LoopSharedPool pool = new LoopSharedPool();
    private final EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(backend, pool));

    private EmbeddedChannel client(Duration send) {
        pool.offer(backend, worker);
        return upstream.client(settings(LONG, LONG, LONG, LONG, send, "off"), pool);
    }

    /** What a client whose TCP window is full looks like to the proxy: its channel no longer writable. */
    private static void clientWritable(EmbeddedChannel client, boolean writable) {
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
    }

    /** A GET whose response has begun (head and part of the body relayed) when the client stops taking it. */
    private void responseBegunToAStalledClient(EmbeddedChannel client) {
        client.writeInbound(ascii("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
        drain(worker);
        clientWritable(client, false);
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"));
        assertTrue(drain(client).startsWith("HTTP/1.1 200 OK\r\n"));
    }

    @Test
    void aClientThatStopsReadingIsClosedAfterSendTimeoutAndTheWorkerConnectionIsNotPooled() throws Exception {
        EmbeddedChannel client = client(SHORT);
        responseBegunToAStalledClient(client);
        Thread.sleep(150);
        client.runPendingTasks();
        assertFalse(client.isOpen(), "a client that took nothing for send-timeout is closed");
        assertEquals("", drain(client), "a started response is cut, not followed by an error answer");
        assertFalse(worker.isOpen(), "the worker's connection, mid-response, is closed");
        assertEquals(0, pool.idle(backend));
    }

    @Test
    void aClientThatTakesBytesAgainInTimeIsNotClosed() throws Exception {
        EmbeddedChannel client = client(Duration.ofMillis(300));
        responseBegunToAStalledClient(client);
        Thread.sleep(200);
        clientWritable(client, true); // the client took bytes: the clock stops
        Thread.sleep(200); // past the first pause's deadline
        client.runPendingTasks();
        assertTrue(client.isOpen());
        worker.writeInbound(ascii("cd"));
        assertTrue(drain(client).endsWith("cd"));
        assertEquals(1, pool.idle(backend), "the response ended: its connection went back to the pool");
    }

    @Test
    void aClientThatPausesAgainGetsAFreshSendTimeout() throws Exception {
        EmbeddedChannel client = client(Duration.ofMillis(300));
        responseBegunToAStalledClient(client);
        Thread.sleep(200);
        clientWritable(client, true);
        clientWritable(client, false);
        worker.writeInbound(ascii("c")); // read while it could take it; the relay pauses again here
        Thread.sleep(200); // 400 ms after the first pause, 200 ms after the second
        client.runPendingTasks();
        assertTrue(client.isOpen(), "each pause has its own send-timeout");
        Thread.sleep(250);
        client.runPendingTasks();
        assertFalse(client.isOpen());
        assertFalse(worker.isOpen());
    }
}
