package io.jcluster.agent.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tcp relay once connected ({@link Relay}, {@link ProxiedConnection}): back-pressure each way, half-close, the
 * end of either side, exceptions, and the hand-off from http mode ({@link Tunnel#join}). Both sides are {@link Peer}s
 * (EmbeddedChannels that are DuplexChannels, holding their writes when a test makes them stop reading); one test uses
 * a plain EmbeddedChannel to show what happens with a channel that cannot half-close.
 */
class TcpRelayFlowTest {

    /** More than the default high-water mark (64 KiB): a peer holding this much is not writable. */
    private static final int OVER_HIGH_WATER = 70 * 1024;

    private final RelayUpstream upstream = new RelayUpstream(1);
    private final Backend worker = upstream.all[0];

    private static ByteBuf bytes(int n) {
        return Unpooled.wrappedBuffer(new byte[n]);
    }

    private static int drained(EmbeddedChannel channel) {
        int n = 0;
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            n += ((ByteBuf) msg).readableBytes();
            ((ByteBuf) msg).release();
        }
        return n;
    }

    @Test
    void aBackendThatStopsReadingStopsTheClientsReadsUntilItDrains() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        client.receive("small");
        assertEquals(2, client.reads, "a batch the backend takes is followed by the next read");

        backend.holdWrites();
        client.writeInbound(bytes(OVER_HIGH_WATER));
        assertFalse(backend.isWritable());
        assertEquals(2, client.reads, "no read while the backend cannot take more: nothing buffered without bound");

        backend.releaseWrites();
        assertTrue(backend.isWritable());
        assertEquals(3, client.reads, "the drained backend resumes the client's reads");
        assertEquals(5 + OVER_HIGH_WATER, drained(backend));
        assertEquals(5 + OVER_HIGH_WATER, upstream.fromClient);

        client.close();
        upstream.assertNoOpenConnections();
    }

    @Test
    void aClientThatStopsReadingStopsTheBackendsReadsUntilItDrains() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        backend.receive("small");
        assertEquals(2, backend.reads);

        client.holdWrites();
        backend.writeInbound(bytes(OVER_HIGH_WATER));
        assertFalse(client.isWritable());
        assertEquals(2, backend.reads, "no read while the client cannot take more");

        client.releaseWrites();
        assertEquals(3, backend.reads, "the drained client resumes the backend's reads");
        assertEquals(5 + OVER_HIGH_WATER, drained(client));
        assertEquals(5 + OVER_HIGH_WATER, upstream.toClient);

        backend.close();
        upstream.assertNoOpenConnections();
    }

    @Test
    void aClientHalfCloseShutsTheBackendsOutputAndTheBackendsCloseThenClosesTheClient() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        client.receive("request");
        client.finReceived();

        assertTrue(backend.isOutputShutdown(), "the FIN goes on");
        assertFalse(client.isOutputShutdown());
        assertTrue(client.isOpen() && backend.isOpen(), "the response is still to come");
        assertEquals(1, worker.openConnections(), "the worker has not finished");

        backend.receive("response");
        assertEquals("request", backend.written());
        assertEquals("response", client.written());
        backend.close();
        assertFalse(client.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void theBackendsFinReleasesItsLeaseOnceAndBothHalfClosesCloseTheConnection() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        backend.receive("all of it");
        backend.finReceived();

        assertTrue(client.isOutputShutdown(), "the backend's FIN goes on to the client");
        assertEquals(0, worker.openConnections(), "a worker that sent its FIN no longer counts the connection");
        client.receive("still talking");
        assertEquals("still talking", backend.written(), "the other direction still flows");

        client.finReceived();
        assertTrue(backend.isOutputShutdown());
        assertFalse(client.isOpen(), "both directions done: closed");
        assertFalse(backend.isOpen());
        assertEquals("all of it", client.written());
        upstream.assertNoOpenConnections(); // released at the FIN, not again at the close
    }

    @Test
    void withABackendChannelThatCannotHalfCloseTheClientsHalfCloseClosesBoth() {
        EmbeddedChannel backend = upstream.acceptsNonDuplex();
        Peer client = upstream.client();
        client.receive("request");
        client.finReceived();

        assertFalse(backend.isOpen(), "no shutdownOutput to pass the FIN on with: the connection ends");
        assertFalse(client.isOpen());
        assertEquals(7, drained(backend), "after what was sent");
        upstream.assertNoOpenConnections();
    }

    @Test
    void aBackendThatClosesFirstClosesTheClientOnlyAfterItsLastBytesWereFlushed() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        client.holdWrites();
        backend.receive("last words");
        backend.close();

        assertTrue(client.isOpen(), "closing now would drop the bytes still waiting for the client");
        assertEquals(0, worker.openConnections(), "the backend connection is gone");
        client.releaseWrites();
        assertEquals("last words", client.written());
        assertFalse(client.isOpen(), "closed once flushed");
    }

    @Test
    void aClientThatClosesFirstClosesTheBackendOnlyAfterItsLastBytesWereFlushed() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        backend.holdWrites();
        client.receive("bye");
        client.close();

        assertTrue(backend.isOpen());
        assertEquals(1, worker.openConnections());
        backend.releaseWrites();
        assertEquals("bye", backend.written());
        assertFalse(backend.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void anExceptionOnTheClientSideClosesBoth() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        client.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        assertFalse(client.isOpen());
        assertFalse(backend.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void anExceptionOnTheBackendSideClosesBoth() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        backend.pipeline().fireExceptionCaught(new IOException("Broken pipe"));

        assertFalse(backend.isOpen());
        assertFalse(client.isOpen());
        upstream.assertNoOpenConnections();
    }

    /** Stands for http mode's decoders: holds whatever it is given until it is removed. */
    private static final class Holding extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        }
    }

    @Test
    void aTunnelRelaysTheBytesHttpModeStillHeldAndReleasesTheLeaseWhenTheBackendCloses() {
        Peer client = Peer.registered();
        Peer backend = new Peer();
        client.eventLoop().register(backend);
        Holding clientDecoder = new Holding();
        Holding backendDecoder = new Holding();
        client.pipeline().addLast(clientDecoder);
        backend.pipeline().addLast(backendDecoder);
        client.receive("first frame");    // arrived with the upgrade request
        backend.receive("server hello");  // arrived with the 101 response
        int clientReads = client.reads; // the decoders asked for reads of their own
        int backendReads = backend.reads;
        BackendLease lease = new BackendLease(worker);

        Tunnel.join(upstream, client, backend, lease, RequestStart.NONE);
        assertEquals(clientReads + 1, client.reads, "reading goes on, one batch at a time");
        assertEquals(backendReads + 1, backend.reads);
        assertSame(backend, ((ProxiedConnection) client.attr(ClientConnection.KEY).get()).backend,
                "the connection is known to drain and shutdown");
        client.pipeline().remove(clientDecoder);
        backend.pipeline().remove(backendDecoder);
        assertEquals("first frame", backend.written(), "nothing the decoders held is lost");
        assertEquals("server hello", client.written());

        client.receive("ping");
        backend.receive("pong");
        assertEquals("ping", backend.written());
        assertEquals("pong", client.written());
        assertEquals(15, upstream.fromClient);
        assertEquals(16, upstream.toClient);
        assertEquals(0, upstream.unattributed);

        assertEquals(1, worker.openConnections());
        backend.close();
        assertEquals(0, worker.openConnections(), "released when the backend connection ends");
        assertFalse(client.isOpen());
    }
}
