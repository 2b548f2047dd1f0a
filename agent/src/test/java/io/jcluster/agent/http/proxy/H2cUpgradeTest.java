package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.config.TrustedProxies;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;

import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * h2c-upgrade on a client connection ({@link HttpProxyHandler} on an EmbeddedChannel): the head the worker gets.
 * An upgrade goes over a fresh worker connection (an EmbeddedChannel the connector makes), a plain request over a
 * pooled one.
 */
class H2cUpgradeTest {

    private static final String H2C = "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n";

    private final Backend backend = new Backend(0, new InetSocketAddress("127.0.0.1", 9));
    private final EmbeddedChannel worker = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);

    @Test
    void refusedTheRequestGoesOnAsAPlainOne() {
        EmbeddedChannel pooled = new EmbeddedChannel(new BackendResponseHandler(backend, LoopSharedPool.ofThisLoop()));
        LoopSharedPool.ofThisLoop().offer(backend, pooled); // a plain request may take a pooled connection
        EmbeddedChannel client = client(false);
        client.writeInbound(ascii(H2C));
        client.runPendingTasks();
        String head = drain(pooled);
        assertTrue(head.startsWith("GET / HTTP/1.1\r\nHost: x\r\nx-forwarded-for: "), head);
        assertTrue(!head.toLowerCase().contains("upgrade") && !head.toLowerCase().contains("http2-settings"), head);
        client.close();
    }

    @Test
    void passedTheWorkerGetsUpgradeAndHttp2Settings() {
        EmbeddedChannel client = client(true);
        client.writeInbound(ascii(H2C));
        client.runPendingTasks();
        String head = drain(worker);
        assertTrue(head.startsWith("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"
                + "connection: upgrade, http2-settings\r\n"), head);
        assertEquals(1, head.split("(?i)connection:", -1).length - 1, "one Connection line: " + head);
        client.close();
    }

    private EmbeddedChannel client(boolean passH2c) {
        HttpSettings settings = new HttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(5), passH2c, Stickiness.of("off"), null, TrustedProxies.NONE, false);
        return new EmbeddedChannel(new HttpProxyHandler(settings, new PooledWorker(backend, worker)));
    }
}
