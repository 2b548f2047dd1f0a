package io.jcluster.agent.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin endpoint's slowloris rule on the EmbeddedChannel's clock: the whole request must arrive within
 * {@link AdminServer#REQUEST_TIMEOUT_MILLIS} of the connect, however it trickles; a silent client goes the same way.
 */
class AdminRequestDeadlineTest {

    private EmbeddedChannel channel;

    private EmbeddedChannel connect() {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 9090);
        channel = new EmbeddedChannel(AdminServer.clientHandlers(address, null, new StatusOnlyCluster() {
            @Override
            public ClusterStatus status() {
                throw new UnsupportedOperationException();
            }
        }));
        return channel;
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
    }

    @Test
    void aSilentClientIsClosedAtTheDeadline() {
        connect();
        advance(AdminServer.REQUEST_TIMEOUT_MILLIS - 1);
        assertTrue(channel.isOpen(), "not before the deadline");
        advance(1);
        assertFalse(channel.isOpen(), "a client that sends nothing is closed at the deadline");
    }

    @Test
    void aClientTricklingAByteASecondIsClosedAtTheDeadlineToo() {
        connect();
        byte[] head = "GET /status HTTP/1.1\r\nHost: 127.0.0.1:9090\r\n".getBytes(StandardCharsets.US_ASCII);
        long elapsed = 0;
        for (int i = 0; i < head.length && channel.isOpen(); i++) {
            ByteBuf one = Unpooled.wrappedBuffer(head, i, 1);
            channel.writeInbound(one);
            advance(1_000);
            elapsed += 1_000;
            assertTrue(channel.isOpen() || elapsed >= AdminServer.REQUEST_TIMEOUT_MILLIS,
                    "closed before the deadline, at " + elapsed + " ms");
        }
        assertFalse(channel.isOpen(), "each byte arriving in time does not extend the deadline");
    }
}
