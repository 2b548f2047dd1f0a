package io.jcluster.agent.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * The state of one client connection and its backend connection. Touched only on their shared event loop,
 * so plain fields suffice.
 */
final class ProxiedConnection implements ClientConnection {

    final Channel client;
    final Upstream upstream;
    /** Tells the start of a request in the client's bytes; the relay itself knows no protocol. */
    final RequestStart requests;
    Channel backend;
    BackendLease lease;
    private int finishedDirections;
    /** Counts reads on either side; compared between idle checks to see whether anything moved. */
    private int reads;
    private int readsAtLastCheck = -1;
    /** True while a request is (likely) outstanding: the client spoke and the backend has not answered yet. */
    private boolean clientSpokeLast;
    /** Whether the client's first bytes began a request (see {@link RequestStart}); decided at its first read. */
    private boolean speaksRequests;
    private boolean clientHasSpoken;
    /** Bytes read in the current batch, added to the shared counters once per batch. */
    private long fromClient;
    private long toClient;

    ProxiedConnection(Channel client, Upstream upstream, RequestStart requests) {
        this.client = client;
        this.upstream = upstream;
        this.requests = requests;
    }

    void read(boolean fromClient, Object msg) {
        reads++;
        clientSpokeLast = fromClient;
        if (msg instanceof ByteBuf bytes) {
            if (fromClient) {
                if (!clientHasSpoken) {
                    clientHasSpoken = true;
                    speaksRequests = requests.startsRequest(bytes);
                }
                this.fromClient += bytes.readableBytes();
            } else {
                this.toClient += bytes.readableBytes();
            }
        }
    }

    /** Reads so far on either side (wraps around); what moved is told by comparing two samples. */
    int reads() {
        return reads;
    }

    /** Closes both sides at once, dropping what waits to be written (nothing moved for a long time). */
    void closeNow() {
        client.close();
        if (backend != null) {
            backend.close();
        }
    }

    /** Adds this batch's bytes to the listener's and the backend's counters. */
    void countTransferred() {
        if (fromClient == 0 && toClient == 0) {
            return;
        }
        upstream.transferred(lease == null ? null : lease.backend(), fromClient, toClient);
        fromClient = 0;
        toClient = 0;
    }

    /** The backend this connection counts against, or null (not connected yet, or the worker finished sending). */
    Backend backendServing() {
        return lease == null ? null : lease.backend();
    }

    /**
     * Whether {@code msg}, just read from the client, should go to another backend: its backend is draining and
     * {@code msg} begins the next request of a keep-alive connection (an HTTP/1 one, say) (the backend answered since the client
     * last spoke, and a client that does not pipeline sends a request only after the whole previous response).
     */
    boolean movesBefore(Object msg) {
        Backend serving = backendServing();
        return serving != null && serving.draining() && speaksRequests && !clientSpokeLast && reads > 0
                && msg instanceof ByteBuf bytes && requests.startsRequest(bytes);
    }

    /**
     * Lets the draining backend go and sends {@code firstBytes} (the start of the client's next request), and what
     * follows, to a backend in rotation. The client notices nothing: its connection stays open throughout.
     */
    void moveToAnotherBackend(Object firstBytes) {
        FrontendHandler next = letBackendGo();
        ChannelHandlerContext context = client.pipeline().context(next);
        next.channelRead(context, firstBytes);
    }

    /**
     * While its backend drains: a connection that sits idle between responses lets the backend go (a connection
     * of requests, HTTP/1 say, stays open and moves at its next request) or is closed (any other protocol).
     */
    void releaseIfIdle() {
        boolean quiet = reads == readsAtLastCheck;
        readsAtLastCheck = reads;
        if (!quiet || clientSpokeLast || backend == null) {
            return;
        }
        if (speaksRequests) {
            letBackendGo();
            client.read();
        } else {
            close();
        }
    }

    private FrontendHandler letBackendGo() {
        countTransferred();
        Channel old = backend;
        // the old backend connection's end must no longer end the client's
        if (old.pipeline().get(Relay.class) != null) {
            old.pipeline().replace(Relay.class, "released", DISCARD);
        }
        if (lease != null) {
            lease.release();
        }
        lease = null;
        backend = null;
        finishedDirections = 0;
        clientSpokeLast = false;
        old.close();
        FrontendHandler next = FrontendHandler.resuming(this);
        client.pipeline().replace(Relay.class, "frontend", next);
        return next;
    }

    /** One side ended its input: pass the half-close on, and close both once both directions are done. */
    void inputShutdown(Channel to) {
        if (to == client && lease != null) {
            lease.release(); // the worker sent its FIN: it no longer counts this connection as open
        }
        if (!(to instanceof DuplexChannel) || !to.isActive()) {
            close();
            return;
        }
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> {
            if (!flushed.isSuccess()) {
                close();
                return;
            }
            ((DuplexChannel) to).shutdownOutput().addListener((ChannelFutureListener) shut -> {
                if (++finishedDirections == 2 || !shut.isSuccess()) {
                    close();
                }
            });
        });
    }

    /**
     * During shutdown: close the connection if it is between requests. In tcp mode the balancer cannot see
     * request boundaries; a connection whose last bytes went to the client and that stayed quiet since the
     * previous check is taken to be an idle keep-alive connection.
     */
    @Override
    public void closeIfIdle() {
        boolean quiet = reads == readsAtLastCheck;
        readsAtLastCheck = reads;
        if (quiet && !clientSpokeLast) {
            close();
        }
    }

    void close() {
        closeOnFlush(client);
        if (backend != null) {
            closeOnFlush(backend);
        }
    }

    static void closeOnFlush(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** Stands where a released backend connection's relay was: whatever still arrives there is dropped. */
    private static final ChannelHandler DISCARD = new Discard();

    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
