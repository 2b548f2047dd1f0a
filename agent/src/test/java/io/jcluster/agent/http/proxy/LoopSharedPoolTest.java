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

/** The pool shared by an event loop's client connections: one instance per loop, most recently used first. */
class LoopSharedPoolTest {

    private final Backend backend = new Backend(0, new InetSocketAddress("127.0.0.1", 9));

    @Test
    void eachLoopHasItsOwnPool() throws Exception {
        LoopSharedPool[] other = new LoopSharedPool[1];
        Thread loop = new Thread(() -> other[0] = LoopSharedPool.ofThisLoop());
        loop.start();
        loop.join();
        assertSame(LoopSharedPool.ofThisLoop(), LoopSharedPool.ofThisLoop());
        assertTrue(other[0] != null && other[0] != LoopSharedPool.ofThisLoop());
    }

    @Test
    void theMostRecentlyUsedGoesFirstAndClosedOnesAreSkipped() {
        LoopSharedPool pool = new LoopSharedPool();
        EmbeddedChannel older = new EmbeddedChannel();
        EmbeddedChannel newer = new EmbeddedChannel();
        pool.offer(backend, older);
        pool.offer(backend, newer);
        newer.close();
        assertSame(older, pool.take(backend));
        assertNull(pool.take(backend));
    }

    @Test
    void itKeepsAsManyPerWorkerAsTheLoopHasClientsOrTheMinimum() {
        LoopSharedPool pool = new LoopSharedPool();
        for (int i = 0; i < HttpSettings.MAX_IDLE_PER_WORKER; i++) {
            assertTrue(pool.offer(backend, new EmbeddedChannel()));
        }
        assertFalse(pool.offer(backend, new EmbeddedChannel()));
        for (int i = 0; i <= HttpSettings.MAX_IDLE_PER_WORKER; i++) {
            pool.clientOpened();
        }
        assertTrue(pool.offer(backend, new EmbeddedChannel()));
        assertEquals(HttpSettings.MAX_IDLE_PER_WORKER + 1, pool.idle(backend));
    }

    @Test
    void aRemovedConnectionLeavesNothingBehind() {
        LoopSharedPool pool = new LoopSharedPool();
        EmbeddedChannel channel = new EmbeddedChannel();
        pool.offer(backend, channel);
        pool.remove(backend, channel);
        assertEquals(0, pool.idle(backend));
        assertNull(pool.take(backend));
    }
}
