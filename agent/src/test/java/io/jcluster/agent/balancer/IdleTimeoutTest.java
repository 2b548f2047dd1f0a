package io.jcluster.agent.balancer;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleTimeoutTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel backend = new EmbeddedChannel();
    private final ProxiedConnection connection = new ProxiedConnection(client, null, RequestStart.NONE);
    private long now = 1_000 * SECOND;

    IdleTimeoutTest() {
        connection.backend = backend;
    }

    private IdleTimeout timeout() {
        return new IdleTimeout(connection, 10 * SECOND, () -> now);
    }

    private void read(boolean fromClient) {
        connection.read(fromClient, Unpooled.EMPTY_BUFFER);
    }

    @Test
    void aQuietConnectionIsClosedBothSidesAfterTheTimeout() {
        IdleTimeout timeout = timeout();
        now += 9 * SECOND;
        assertFalse(timeout.check(now));
        assertTrue(client.isOpen() && backend.isOpen());
        now += SECOND;
        assertTrue(timeout.check(now));
        assertFalse(client.isOpen(), "the client side is closed");
        assertFalse(backend.isOpen(), "and the backend side");
    }

    @Test
    void bytesEitherWayKeepItOpen() {
        IdleTimeout timeout = timeout();
        for (int i = 0; i < 10; i++) {
            read(i % 2 == 0); // client, then backend, in turn: a long download or upload counts as well
            now += 5 * SECOND;
            assertFalse(timeout.check(now), "sample " + i);
        }
        assertTrue(client.isOpen() && backend.isOpen());
    }

    @Test
    void silenceCountsFromTheSampleThatSawTheLastRead() {
        IdleTimeout timeout = timeout();
        read(false);
        now += 2 * SECOND;
        assertFalse(timeout.check(now)); // saw the read: quiet since now at the earliest
        now += 9 * SECOND;
        assertFalse(timeout.check(now), "never before a whole timeout of silence");
        now += SECOND;
        assertTrue(timeout.check(now));
    }

    @Test
    void aBackendNotConnectedYetIsNoProblem() {
        connection.backend = null;
        IdleTimeout timeout = timeout();
        now += 10 * SECOND;
        assertTrue(timeout.check(now));
        assertFalse(client.isOpen());
    }
}
