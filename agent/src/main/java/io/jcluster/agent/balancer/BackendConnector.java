package io.jcluster.agent.balancer;

import io.jcluster.agent.log.Log;
import io.jcluster.bootstrap.ClientAddressTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Opens a backend connection on behalf of a client so that the worker's app sees that client as its peer: the
 * channel is bound to 127.0.0.1 and a port claimed in the {@link ClientAddressTable}, the client is published in
 * that port's slot, and only then does it connect (see ClientAddressTable for why that order makes the entry exact).
 * The slot is emptied and the port freed when the channel closes. All of it runs on the channel's event loop: the
 * register and bind complete there at once, so the connect is issued in the same turn as before.
 *
 * <p>Per connection this adds one bind (an explicit port: a hash lookup in the kernel, unlike bind to port 0, whose
 * search through ports in TIME_WAIT measured here up to 10 ms) and two writes of a 32-byte slot; nothing per byte.
 */
final class BackendConnector {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** Ports another process holds make a bind fail; after this many the connection goes out unbound (unpublished). */
    private static final int BIND_ATTEMPTS = 8;
    private static final Log.RateLimited UNPUBLISHED = new Log.RateLimited(60, TimeUnit.SECONDS);

    private BackendConnector() {
    }

    /** Connects {@code bootstrap}'s next channel to {@code backend} for {@code client}; call on the channel's loop. */
    static ChannelFuture connect(Bootstrap bootstrap, InetSocketAddress backend, SocketAddress client,
                                 ClientAddressTable table) {
        if (table == null) {
            return bootstrap.connect(backend);
        }
        // null when the client already reset its connection: then it is published as gone, not left unpublished
        InetSocketAddress inet = client instanceof InetSocketAddress address ? address : null;
        ChannelFuture registered = bootstrap.register();
        Channel channel = registered.channel();
        ChannelPromise connected = channel.newPromise();
        // as Bootstrap.connect does: epoll and io_uring leave the socket of a refused connect open
        connected.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        registered.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess()) {
                bindThenConnect(channel, backend, inet, table, connected, 1);
            } else {
                connected.setFailure(done.cause());
            }
        });
        return connected;
    }

    private static void bindThenConnect(Channel channel, InetSocketAddress backend, InetSocketAddress client,
                                        ClientAddressTable table, ChannelPromise connected, int attempt) {
        int port = table.claim();
        if (port < 0) {
            connectUnpublished(channel, backend, connected, "every port of the ephemeral range is in use");
            return;
        }
        channel.bind(new InetSocketAddress(LOOPBACK, port)).addListener((ChannelFutureListener) bound -> {
            if (!bound.isSuccess()) {
                table.release(port);
                if (!channel.isOpen()) {
                    connected.tryFailure(bound.cause());
                } else if (attempt < BIND_ATTEMPTS) {
                    bindThenConnect(channel, backend, client, table, connected, attempt + 1);
                } else {
                    connectUnpublished(channel, backend, connected, Log.describe(bound.cause()));
                }
                return;
            }
            table.publish(port, backend.getPort(), client);
            channel.closeFuture().addListener(closed -> table.release(port));
            channel.connect(backend, connected);
        });
    }

    /** Serves the client all the same; the worker then finds no entry and counts a fallback. */
    private static void connectUnpublished(Channel channel, InetSocketAddress backend, ChannelPromise connected,
                                           String why) {
        UNPUBLISHED.info("could not bind a local port for a connection to " + Listener.describe(backend) + " (" + why
                + "); the app sees 127.0.0.1 as its client's address (logged at most once a minute)");
        channel.connect(backend, connected);
    }
}
