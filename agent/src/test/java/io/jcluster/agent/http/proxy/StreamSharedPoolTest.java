package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An HTTP/2 connection's own pool: as many idle connections per worker as it may have streams, closed with it. */
class StreamSharedPoolTest {

    private final Backend worker = new Backend(0, new InetSocketAddress("127.0.0.1", 9));

    @Test
    void concurrentStreamsLeaveOneIdleConnectionEachUpToTheStreamLimit() {
        StreamSharedPool pool = StreamSharedPool.forConnection(true, 2);
        pool.connectionOpened();
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        EmbeddedChannel c = new EmbeddedChannel();
        assertTrue(pool.offer(worker, a));
        assertTrue(pool.offer(worker, b));
        assertFalse(pool.offer(worker, c), "past max-concurrent-streams the caller closes it");
        assertEquals(2, pool.idle(worker));
        assertSame(b, pool.take(worker));
        pool.clientClosed(); // a stream ended: nothing happens to the connection's pool
        assertTrue(a.isOpen());
        pool.connectionClosed();
        assertFalse(a.isOpen(), "the connection's idle backend connections end with it");
        assertEquals(0, pool.idle(worker));
        assertNull(pool.take(worker));
    }

    @Test
    void aClosedIdleConnectionIsNotHandedOut() {
        StreamSharedPool pool = StreamSharedPool.forConnection(true, 4);
        EmbeddedChannel a = new EmbeddedChannel();
        pool.offer(worker, a);
        a.close();
        assertNull(pool.take(worker));
    }
}
