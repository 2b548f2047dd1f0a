package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.config.TrustedProxies;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;

import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Expect (RFC 9110 section 10.1.1) on a client connection ({@link HttpProxyHandler} on an EmbeddedChannel) whose
 * request goes to a pooled worker connection: an expectation other than 100-continue is answered 417 by the parent
 * and reaches no worker; a worker's final answer to a 100-continue request it sent no 100 for leaves its
 * connection out of the pool, since it may not have read the body the client sent after (Netty's aggregator resets
 * its parser there and reads that body as the next request, found by HttpDesyncIT).
 */
class ExpectationTest {

    private final Backend backend = new Backend(0, new InetSocketAddress("127.0.0.1", 9));
    private final EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(backend, LoopSharedPool.ofThisLoop()));

    @AfterEach
    void emptyThePool() {
        while (LoopSharedPool.ofThisLoop().take(backend) != null) {
            // a test that failed may have left one
        }
    }

    @Test
    void anExpectationOtherThan100ContinueIsAnswered417ByTheParent() {
        EmbeddedChannel client = client();
        client.writeInbound(ascii("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 5\r\n\r\nhello"));
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 417 Expectation Failed\r\n"), answer);
        assertEquals("", drain(worker), "nothing reached the worker");
        assertFalse(client.isOpen());
    }

    @Test
    void expectIsMatchedIgnoringCaseAndAnEmptyOneIsNoExpectation() {
        EmbeddedChannel client = client();
        client.writeInbound(ascii("POST /a HTTP/1.1\r\nHost: x\r\nExpect:\r\nexpect: 100-Continue\r\n"
                + "Content-Length: 5\r\n\r\nhello"));
        assertTrue(drain(worker).endsWith("\r\n\r\nhello"), "went on to the worker");
        client.close();
    }

    @Test
    void aFinalAnswerWithoutA100KeepsTheWorkerConnectionOutOfThePool() {
        EmbeddedChannel client = client();
        // the client did not wait for the 100: head and body went on together, before the worker answered
        client.writeInbound(ascii("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
                + "hello"));
        assertTrue(drain(worker).endsWith("\r\n\r\nhello"));
        worker.writeInbound(ascii("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n"));
        assertTrue(drain(client).startsWith("HTTP/1.1 417 "));
        assertNull(LoopSharedPool.ofThisLoop().take(backend), "the worker's connection is not offered to the next request");
        assertFalse(worker.isOpen());
        assertTrue(client.isOpen(), "the client's own connection is in step and stays");
        client.close();
    }

    @Test
    void afterA100TheWorkerConnectionIsReusedAsUsual() {
        EmbeddedChannel client = client();
        client.writeInbound(ascii("POST /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
        drain(worker);
        worker.writeInbound(ascii("HTTP/1.1 100 Continue\r\n\r\n"));
        assertTrue(drain(client).startsWith("HTTP/1.1 100 Continue\r\n"));
        client.writeInbound(ascii("hello"));
        assertEquals("hello", drain(worker));
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        assertTrue(drain(client).endsWith("\r\n\r\nok"));
        assertSame(worker, LoopSharedPool.ofThisLoop().take(backend), "back in the pool");
        client.close();
    }

    private EmbeddedChannel client() {
        LoopSharedPool.ofThisLoop().offer(backend, worker);
        HttpSettings settings = new HttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(5), false, Stickiness.of("off"), null, TrustedProxies.NONE, false);
        return new EmbeddedChannel(new HttpProxyHandler(settings, new PooledWorker(backend)));
    }
}
