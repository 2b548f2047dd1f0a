package io.jcluster.agent.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The listener side of tcp relay tests: backends whose connects, in order, go to prepared {@link Peer}s through a
 * real Bootstrap (so a failed connect closes its channel as Bootstrap does), succeed at once, fail, or wait for the
 * test; records what the relay told it. The strategy picks the first candidate.
 */
final class RelayUpstream implements Upstream {

    final Backend[] all;
    /** In rotation now: all of them unless a test takes some away. */
    Backend[] inRotation;
    final ArrayDeque<Connect> connects = new ArrayDeque<>();
    final List<Backend> connectedTo = new ArrayList<>();
    final List<Backend> connectFailures = new ArrayList<>();
    int noBackendAvailable;
    long fromClient;
    long toClient;
    /** Bytes reported without a backend (a connection not connected yet): should stay 0. */
    long unattributed;

    RelayUpstream(int backends) {
        all = new Backend[backends];
        for (int i = 0; i < backends; i++) {
            all[i] = new Backend(i, new InetSocketAddress("127.0.0.1", 9 + i));
        }
        inRotation = all;
    }

    /** The next connect succeeds at once; returns its backend channel. */
    Peer accepts() {
        Peer channel = new Peer();
        connects.add(new Connect(channel, null, false));
        return channel;
    }

    /** The next connect succeeds at once, to a channel that is no DuplexChannel (it cannot half-close). */
    EmbeddedChannel acceptsNonDuplex() {
        EmbeddedChannel channel = new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
        channel.config().setAutoRead(false);
        connects.add(new Connect(channel, null, false));
        return channel;
    }

    /** The next connect is refused. */
    void refuses() {
        connects.add(new Connect(new Peer(), new ConnectException("Connection refused"), false));
    }

    /** The next connect waits until the test completes or fails it. */
    Connect waits() {
        Connect connect = new Connect(new Peer(), null, true);
        connects.add(connect);
        return connect;
    }

    /** A client connection as the listener hands it to the tcp frontend (auto-read off), connecting at once. */
    Peer client() {
        return client(TcpFrontend.PLAIN);
    }

    Peer client(Frontend frontend) {
        Peer client = new Peer();
        frontend.serve(client, this);
        try {
            client.register(); // active from the start, as an accepted socket
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        client.runPendingTasks();
        return client;
    }

    /** Every lease was released exactly once: no backend counts a connection (and none went below zero). */
    void assertNoOpenConnections() {
        for (Backend backend : all) {
            assertEquals(0, backend.openConnections(), backend + " open connections");
        }
    }

    @Override
    public Backend[] backends() {
        return inRotation;
    }

    @Override
    public SelectionStrategy strategy() {
        return candidates -> candidates[0];
    }

    @Override
    public Bootstrap connector(EventLoop loop) {
        throw new AssertionError("connect() is the relay's way in");
    }

    @Override
    public ChannelFuture connect(Channel client, Backend target) {
        connectedTo.add(target);
        Connect next = connects.poll();
        if (next == null) {
            throw new AssertionError("unexpected connect to " + target);
        }
        ChannelFuture future = new Bootstrap().group(client.eventLoop()).channelFactory(() -> next.channel)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(Listener.UNTIL_CONNECTED, next);
                    }
                })
                .disableResolver() // an EmbeddedEventLoop has no termination future for a resolver
                .connect(target.address());
        ((Peer) client).runPendingTasks(); // Bootstrap connects in a task on the loop
        return future;
    }

    @Override
    public void connectFailed(Backend failed, Throwable cause) {
        connectFailures.add(failed);
    }

    @Override
    public void noBackendAvailable() {
        noBackendAvailable++;
    }

    @Override
    public void transferred(Backend served, long fromClient, long toClient) {
        if (served == null) {
            unattributed += fromClient + toClient;
        }
        this.fromClient += fromClient;
        this.toClient += toClient;
    }

    @Override
    public int port() {
        return 80;
    }

    @Override
    public String describe() {
        return "127.0.0.1:80 " + Arrays.toString(all);
    }

    /** One connect: its backend channel, and how the connect goes (decided by the test). */
    static final class Connect extends ChannelOutboundHandlerAdapter {
        final EmbeddedChannel channel;
        private final Throwable refusal;
        private final boolean waits;
        private ChannelHandlerContext ctx;
        private SocketAddress remote;
        private ChannelPromise promise;

        Connect(EmbeddedChannel channel, Throwable refusal, boolean waits) {
            this.channel = channel;
            this.refusal = refusal;
            this.waits = waits;
        }

        @Override
        public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local,
                            ChannelPromise promise) {
            if (refusal != null) {
                promise.setFailure(refusal);
            } else if (waits) {
                this.ctx = ctx;
                this.remote = remote;
                this.promise = promise;
            } else {
                ctx.connect(remote, local, promise);
            }
        }

        /** The waiting connect succeeds. */
        Peer complete() {
            ctx.connect(remote, null, promise);
            channel.runPendingTasks();
            return (Peer) channel;
        }

        /** The waiting connect fails (a Bootstrap closes the channel of a failed connect). */
        void fail() {
            promise.setFailure(new ConnectException("Connection refused"));
            channel.runPendingTasks();
        }
    }
}
