package io.jcluster.agent.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;

/** What a frontend needs of its listener: the backends, how to pick one, and how to connect to it. */
public interface Upstream {

    /** The backends in rotation now; an array the caller must not modify, possibly empty. */
    Backend[] backends();

    SelectionStrategy strategy();

    /** The backends in rotation but those in {@code tried} (null: none tried yet). */
    default Backend[] backendsExcept(List<Backend> tried) {
        Backend[] all = backends();
        if (tried == null) {
            return all;
        }
        List<Backend> remaining = new ArrayList<>(all.length);
        for (Backend backend : all) {
            if (!tried.contains(backend)) {
                remaining.add(backend);
            }
        }
        return remaining.toArray(new Backend[0]);
    }

    /**
     * Connects backend channels on {@code loop} (the client's own loop: no thread hand-off on the data path).
     * The channels it makes have reads off and a placeholder handler; the caller replaces it.
     * Call on {@code loop}'s thread.
     */
    Bootstrap connector(EventLoop loop);

    /**
     * Opens a backend connection for {@code client} on the client's own loop, made by {@link #connector}, so that
     * the backend learns who the client is: jcluster's workers from the client address table (the app sees
     * {@code client} as its peer), the standalone balancer's backends from a PROXY header with proxy-protocol (its
     * first bytes, written before any listener the caller adds to the returned future runs). Call on the client's
     * loop.
     */
    ChannelFuture connect(Channel client, Backend backend);

    /**
     * Opens a backend connection on {@code loop} that carries the requests of many clients (mode=grpc's HTTP/2
     * connections to the workers), made by {@link #connector}: the worker is told it is nobody's in particular (its
     * app sees the loopback address as the peer, and counts no miss). Call on {@code loop}'s thread.
     */
    default ChannelFuture connectShared(EventLoop loop, Backend backend) {
        return connector(loop).connect(backend.address());
    }

    /**
     * A connect to {@code backend} failed. A refusal means nothing listens there any more, so the backend leaves
     * rotation until its worker binds again (logged once); a timeout only means busy.
     */
    void connectFailed(Backend backend, Throwable cause);

    /** For the metrics: a connection (tcp) or request (http) found no backend in rotation and was turned away. */
    void noBackendAvailable();

    /**
     * For the metrics: bytes a connection (tcp, counted in batches) or a request/response exchange (http) carried to
     * and from {@code backend} (null: a tcp connection whose backend is not known yet).
     */
    void transferred(Backend backend, long fromClient, long toClient);

    /** The port clients connected to: for forwarded headers. */
    int port();

    /** host:port, for log lines. */
    String describe();

    /** Replaces the placeholder of a channel made by {@link #connector} with the frontend's handlers. */
    static void install(Channel backendChannel, ChannelHandler... handlers) {
        backendChannel.pipeline().remove(Listener.UNTIL_CONNECTED);
        backendChannel.pipeline().addLast(handlers);
    }
}
