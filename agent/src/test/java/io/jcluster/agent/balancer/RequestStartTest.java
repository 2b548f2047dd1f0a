package io.jcluster.agent.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tcp relay knows no protocol: whether a connection carries requests, and so may move to another backend
 * between them while its backend drains, is what the {@link RequestStart} it was given says of its first bytes.
 */
class RequestStartTest {

    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel backend = new EmbeddedChannel();

    private ProxiedConnection relay(RequestStart requests) {
        ProxiedConnection connection = new ProxiedConnection(client, null, requests);
        connection.backend = backend;
        client.pipeline().addLast(new Relay(backend, connection, true));
        backend.pipeline().addLast(new Relay(client, connection, false));
        return connection;
    }

    /** The client spoke, the backend answered, then nothing moved between two idle checks. */
    private static void requestAnsweredThenIdle(ProxiedConnection connection) {
        connection.read(true, Unpooled.EMPTY_BUFFER);
        connection.read(false, Unpooled.EMPTY_BUFFER);
        connection.releaseIfIdle();
        connection.releaseIfIdle();
    }

    @Test
    void aConnectionOfRequestsLetsItsIdleBackendGoAndStaysOpen() {
        ProxiedConnection connection = relay(bytes -> true);
        requestAnsweredThenIdle(connection);
        assertFalse(backend.isOpen(), "the draining backend's connection is let go");
        assertTrue(client.isOpen(), "the client's stays, to move at its next request");
        assertNotNull(client.pipeline().get(FrontendHandler.class), "its next bytes pick a backend anew");
    }

    @Test
    void aConnectionOfAnotherProtocolIsClosedWhenIdle() {
        ProxiedConnection connection = relay(RequestStart.NONE);
        requestAnsweredThenIdle(connection);
        client.runPendingTasks();
        assertFalse(client.isOpen(), "nothing tells where its next request starts: closed");
        assertFalse(backend.isOpen());
    }

    @Test
    void theFirstBytesFromTheClientDecideAndAreNotConsumed() {
        List<ByteBuf> asked = new ArrayList<>();
        ProxiedConnection connection = relay(bytes -> {
            asked.add(bytes);
            return false;
        });
        ByteBuf first = Unpooled.EMPTY_BUFFER.duplicate();
        connection.read(false, Unpooled.EMPTY_BUFFER); // a server that speaks first is not asked about
        connection.read(true, first);
        connection.read(true, Unpooled.EMPTY_BUFFER);
        assertEquals(1, asked.size(), "asked once, at the client's first read");
        assertSame(first, asked.get(0));
    }
}
