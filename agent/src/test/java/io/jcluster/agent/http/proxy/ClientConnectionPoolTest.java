package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend connection that names its client to the worker must never carry another client connection's requests:
 * each client connection has a pool of its own, bounded, emptied when the client leaves.
 */
class ClientConnectionPoolTest {

    private static Backend backend(int id) {
        return new Backend(id, new InetSocketAddress("127.0.0.1", 40000 + id));
    }

    @Test
    void twoClientConnectionsNeverShareABackendConnection() {
        Backend worker = backend(0);
        BackendConnectionPool first = BackendConnectionPool.forClient(true);
        BackendConnectionPool second = BackendConnectionPool.forClient(true);
        assertNotSame(first, second);
        Channel channel = new EmbeddedChannel();
        assertTrue(first.offer(worker, channel));
        assertNull(second.take(worker), "another client connection must open its own");
        assertSame(channel, first.take(worker));
        assertNull(first.take(worker), "taken: not in the pool any more");
    }

    @Test
    void withoutClientAddressesTheLoopsPoolIsShared() {
        assertSame(BackendConnectionPool.forClient(false), BackendConnectionPool.forClient(false));
    }

    @Test
    void oneIdleConnectionPerWorkerAndTheLeastRecentlyUsedGoesPastTheBound() {
        ClientConnectionPool pool = new ClientConnectionPool();
        List<EmbeddedChannel> channels = new ArrayList<>();
        List<Backend> workers = new ArrayList<>();
        for (int i = 0; i <= ClientConnectionPool.MAX_IDLE; i++) {
            workers.add(backend(i));
            channels.add(new EmbeddedChannel());
            pool.offer(workers.get(i), channels.get(i));
        }
        assertEquals(ClientConnectionPool.MAX_IDLE, pool.size());
        assertFalse(channels.get(0).isOpen(), "the oldest idle connection is closed past the bound");
        assertNull(pool.take(workers.get(0)));
        assertSame(channels.get(1), pool.take(workers.get(1)));

        EmbeddedChannel again = new EmbeddedChannel();
        pool.offer(workers.get(2), again);
        assertFalse(channels.get(2).isOpen(), "a second idle connection to the same worker replaces the first");
        assertSame(again, pool.take(workers.get(2)));
    }

    @Test
    void theClientLeavingClosesWhatItsPoolHolds() {
        ClientConnectionPool pool = new ClientConnectionPool();
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        pool.offer(backend(0), a);
        pool.offer(backend(1), b);
        pool.clientClosed();
        assertFalse(a.isOpen());
        assertFalse(b.isOpen());
        assertEquals(0, pool.size());
    }

    @Test
    void aClosedIdleConnectionLeavesThePool() {
        ClientConnectionPool pool = new ClientConnectionPool();
        Backend worker = backend(0);
        EmbeddedChannel channel = new EmbeddedChannel();
        pool.offer(worker, channel);
        pool.remove(worker, channel);
        assertEquals(0, pool.size());
        EmbeddedChannel dead = new EmbeddedChannel();
        pool.offer(worker, dead);
        dead.close();
        assertNull(pool.take(worker), "a connection the worker closed is not handed out");
    }
}
