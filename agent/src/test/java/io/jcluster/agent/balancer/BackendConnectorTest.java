package io.jcluster.agent.balancer;

import io.jcluster.bootstrap.ClientAddressTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class BackendConnectorTest {

    @TempDir
    Path directory;

    /**
     * On epoll and io_uring a refused connect leaves the socket open (NIO's closes; Netty 4.2.18, checked against a
     * closed loopback port): Bootstrap.connect closes it on failure, but a connect that publishes its client binds
     * and connects the channel itself. Left open, the socket, its claimed port and the backend's connection count
     * (released when the channel closes) would leak with every refusal.
     */
    @Test
    void aRefusedConnectThatPublishesItsClientClosesItsChannel() throws IOException {
        ClientAddressTable table = ClientAddressTable.create(directory);
        EmbeddedChannel loop = new EmbeddedChannel();
        Peer channel = new Peer();
        Bootstrap bootstrap = new Bootstrap().group(loop.eventLoop()).channelFactory(() -> channel)
                .handler(new RefusedLeavingOpen());

        ChannelFuture connect = BackendConnector.connect(bootstrap, new InetSocketAddress("127.0.0.1", 9),
                new InetSocketAddress("192.0.2.7", 40000), table);
        loop.runPendingTasks();

        assertInstanceOf(ConnectException.class, connect.cause());
        assertFalse(channel.isOpen(), "a failed connect's channel is closed");
    }

    /** Fails the connect and leaves the channel open, as epoll and io_uring do on ECONNREFUSED. */
    private static final class RefusedLeavingOpen extends ChannelOutboundHandlerAdapter {
        @Override
        public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local,
                            ChannelPromise promise) {
            promise.setFailure(new ConnectException("Connection refused"));
        }
    }
}
