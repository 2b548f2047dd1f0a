package io.jcluster.agent.http.proxy;

import io.jcluster.agent.config.TrustedProxies;
import io.jcluster.agent.balancer.Backend;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;

import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * body-timeout on a client connection ({@link HttpProxyHandler} on an EmbeddedChannel) whose request goes to a
 * pooled worker connection (another EmbeddedChannel): a body that stops coming is answered 408, or the client is
 * just closed once the response has begun; the worker's connection is closed, never pooled again; a body that keeps
 * coming, however slowly, is not cut.
 */
class BodyTimeoutTest {

    private final Backend backend = new Backend(0, new InetSocketAddress("127.0.0.1", 9));
    private final EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(backend, LoopSharedPool.ofThisLoop()));

    @Test
    void aStalledBodyGets408AndTheWorkerConnectionIsClosed() throws Exception {
        EmbeddedChannel client = client(Duration.ofMillis(100));
        client.writeInbound(ascii("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
        assertTrue(drain(worker).endsWith("\r\n\r\nabc"), "the head and the body so far went on");

        Thread.sleep(300);
        client.runPendingTasks();
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n") && answer.contains("body-timeout=100ms"),
                answer);
        assertFalse(client.isOpen());
        assertFalse(worker.isOpen(), "the worker's connection is closed under its half-sent body");
        assertNull(LoopSharedPool.ofThisLoop().take(backend), "and not pooled");
    }

    @Test
    void onceTheResponseHasBegunAStalledBodyClosesTheClientWithout408() throws Exception {
        EmbeddedChannel client = client(Duration.ofMillis(100));
        client.writeInbound(ascii("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
        drain(worker);
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe"));
        String begun = drain(client);
        assertTrue(begun.startsWith("HTTP/1.1 200 OK\r\n"), begun);

        Thread.sleep(300);
        client.runPendingTasks();
        assertEquals("", drain(client), "no 408 in the middle of a response");
        assertFalse(client.isOpen());
        assertFalse(worker.isOpen());
    }

    @Test
    void aSlowBodyThatKeepsComingIsNotCut() throws Exception {
        EmbeddedChannel client = client(Duration.ofSeconds(1));
        client.writeInbound(ascii("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n"));
        for (int i = 0; i < 15; i++) { // 1.5 s in all, a byte every 100 ms
            Thread.sleep(100);
            client.writeInbound(ascii("x"));
            client.runPendingTasks();
            assertTrue(client.isOpen(), "after " + (i + 1) + " bytes");
        }
        assertTrue(drain(worker).endsWith("\r\n\r\n" + "x".repeat(15)));
        assertEquals("", drain(client));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        assertTrue(drain(client).endsWith("\r\n\r\nok"));
        assertTrue(client.isOpen() && worker.isOpen(), "both kept alive");
        client.close();
    }

    private EmbeddedChannel client(Duration bodyTimeout) {
        LoopSharedPool.ofThisLoop().offer(backend, worker);
        HttpSettings settings = new HttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60),
                bodyTimeout, Duration.ofSeconds(60), Duration.ofSeconds(5), false, Stickiness.of("off"), null, TrustedProxies.NONE, false);
        return new EmbeddedChannel(new HttpProxyHandler(settings, new PooledWorker(backend)));
    }
}
