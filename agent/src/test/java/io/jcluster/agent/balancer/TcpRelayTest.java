package io.jcluster.agent.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tcp relay from accept to relaying ({@link FrontendHandler}): picking a backend, connecting, trying the next one
 * when a connect fails, turning the client away when none is left, and what the client does meanwhile. Both sides are
 * EmbeddedChannels ({@link Peer}) on one event loop; {@link RelayUpstream} is the listener. The relaying itself is in
 * {@link TcpRelayFlowTest}.
 */
class TcpRelayTest {

    private final RelayUpstream upstream = new RelayUpstream(2);

    @Test
    void connectsToThePickedBackendAndRelaysBothWaysCountingTheBytes() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();

        assertEquals(List.of(upstream.all[0]), upstream.connectedTo);
        assertEquals(1, upstream.all[0].openConnections(), "the connection counts against its backend");
        assertEquals(1, client.reads, "reading starts once connected");
        assertEquals(1, backend.reads);

        client.receive("hello");
        assertEquals("hello", backend.written());
        backend.receive("world!");
        assertEquals("world!", client.written());
        assertEquals(2, client.reads, "the next read is asked after each batch");
        assertEquals(2, backend.reads);
        assertEquals(5, upstream.fromClient);
        assertEquals(6, upstream.toClient);
        assertEquals(0, upstream.unattributed, "counted against the backend that carried them");

        client.close();
        assertFalse(backend.isOpen(), "the client's end ends the backend connection");
        upstream.assertNoOpenConnections();
    }

    @Test
    void aBackendThatRefusesIsReportedAndTheNextOneIsTriedBeforeTheClientSeesAnything() {
        upstream.refuses();
        Peer backend = upstream.accepts();
        Peer client = upstream.client();

        assertEquals(List.of(upstream.all[0], upstream.all[1]), upstream.connectedTo);
        assertEquals(List.of(upstream.all[0]), upstream.connectFailures, "the refusal is reported");
        assertEquals(0, upstream.all[0].openConnections(), "the failed connect's claim is released");
        assertEquals(1, upstream.all[1].openConnections());
        assertTrue(client.isActive());
        assertEquals(0, upstream.noBackendAvailable);

        client.receive("ping");
        assertEquals("ping", backend.written());
        backend.close();
        assertFalse(client.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void whenEveryBackendRefusesTheClientIsClosed() {
        upstream.refuses();
        upstream.refuses();
        Peer client = upstream.client();

        assertEquals(List.of(upstream.all[0], upstream.all[1]), upstream.connectFailures);
        assertEquals(1, upstream.noBackendAvailable, "turned away once no backend is left to try");
        assertFalse(client.isOpen());
        assertEquals(0, client.reads, "nothing was read from a client no backend took");
        upstream.assertNoOpenConnections();
    }

    @Test
    void withNoBackendInRotationTheClientIsClosedAndCounted() {
        upstream.inRotation = new Backend[0];
        Peer client = upstream.client();

        assertFalse(client.isOpen());
        assertEquals(1, upstream.noBackendAvailable);
        assertTrue(upstream.connectedTo.isEmpty(), "no connect attempted");
        upstream.assertNoOpenConnections();
    }

    @Test
    void whatTheClientSendsWhileConnectingIsHeldThenRelayedInOrder() {
        RelayUpstream.Connect connect = upstream.waits();
        Peer client = upstream.client();

        client.receive("one,"); // a transport may deliver what it already had, reads off or not
        client.receive("two,");
        assertEquals(0, client.reads, "no read is asked for until the backend connection is up: bounded");
        assertEquals(1, upstream.all[0].openConnections(), "counted from the pick on");

        Peer backend = connect.complete();
        assertEquals("one,two,", backend.written());
        assertEquals(1, client.reads, "reading starts once connected");
        client.receive("three");
        assertEquals("three", backend.written(), "after the held bytes, in order");
        assertEquals(13, upstream.fromClient);
        assertEquals(0, upstream.unattributed);

        backend.close();
        assertFalse(client.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void aClientThatHalfClosesWhileConnectingHasItsBytesAndItsHalfCloseRelayed() {
        RelayUpstream.Connect connect = upstream.waits();
        Peer client = upstream.client();
        client.receive("request");
        client.finReceived();

        Peer backend = connect.complete();
        assertEquals("request", backend.written());
        assertTrue(backend.isOutputShutdown(), "the client's FIN goes on to the backend");
        assertEquals(0, client.reads, "nothing more to read from a client that finished sending");
        assertTrue(client.isOpen(), "the response is still to come");

        backend.receive("response");
        assertEquals("response", client.written());
        backend.close();
        assertFalse(client.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void aClientThatLeavesWhileConnectingHasItsHeldBytesFreedAndTheBackendConnectionClosed() {
        RelayUpstream.Connect connect = upstream.waits();
        Peer client = upstream.client();
        ByteBuf held = Unpooled.copiedBuffer("early", StandardCharsets.US_ASCII);
        client.writeInbound(held);
        assertEquals(1, held.refCnt());

        client.close();
        assertEquals(0, held.refCnt(), "the held bytes are freed");
        Peer backend = connect.complete();
        assertFalse(backend.isOpen(), "a backend connection made for a client that left is closed");
        assertEquals("", backend.written(), "and nothing is sent on it");
        assertTrue(upstream.connectFailures.isEmpty());
        upstream.assertNoOpenConnections();
    }

    @Test
    void aConnectThatFailsAfterTheClientLeftTriesNoOtherBackend() {
        RelayUpstream.Connect connect = upstream.waits();
        Peer client = upstream.client();
        client.close();

        connect.fail();
        assertEquals(List.of(upstream.all[0]), upstream.connectedTo, "no second connect for a client that left");
        assertEquals(0, upstream.noBackendAvailable);
        upstream.assertNoOpenConnections();
    }

    @Test
    void anExceptionWhileConnectingClosesTheClientAndFreesItsHeldBytes() {
        RelayUpstream.Connect connect = upstream.waits();
        Peer client = upstream.client();
        ByteBuf held = Unpooled.copiedBuffer("early", StandardCharsets.US_ASCII);
        client.writeInbound(held);

        client.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        assertFalse(client.isOpen());
        assertEquals(0, held.refCnt());
        Peer backend = connect.complete();
        assertFalse(backend.isOpen());
        upstream.assertNoOpenConnections();
    }
}
