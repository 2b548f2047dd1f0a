package io.jcluster.agent.balancer;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** One address the balancer listens on, with the backends that serve it. */
final class Listener {

    /** Per connection and direction, at most this much is buffered in the balancer before reading pauses. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final InetSocketAddress address;
    private final SelectionStrategy strategy;
    private final BackendSet backends = new BackendSet();
    private final ListenerStats stats;
    private final Bootstrap backendTemplate;
    /** A ready Bootstrap per event loop: cloning one per connection would copy its option maps every time. */
    private final FastThreadLocal<Bootstrap> backendBootstraps = new FastThreadLocal<>();
    private Channel serverChannel;

    private Listener(InetSocketAddress address, SelectionStrategy strategy, Transport transport) {
        this.address = address;
        this.strategy = strategy;
        this.backendTemplate = FrontendHandler.backendBootstrap(transport);
        this.stats = new ListenerStats(address);
    }

    /** Binds {@code address} now; throws the bind failure (e.g. the port is taken) to the caller. */
    static Listener open(InetSocketAddress address, SelectionStrategy strategy, EventLoopGroup group,
                         Transport transport, ChannelGroup connections) throws IOException {
        Listener listener = new Listener(address, strategy, transport);
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channelFactory(transport.serverChannels)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        connections.add(client);
                        client.pipeline().addLast(new FrontendHandler(listener));
                    }
                })
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            throw cause instanceof IOException ? (IOException) cause : new IOException(cause.getMessage(), cause);
        }
        listener.serverChannel = bound.channel();
        return listener;
    }

    /** Called on {@code loop}'s own thread, which serves no other loop. */
    Bootstrap backendBootstrap(EventLoop loop) {
        Bootstrap bootstrap = backendBootstraps.get();
        if (bootstrap == null) {
            bootstrap = backendTemplate.clone(loop);
            backendBootstraps.set(bootstrap);
        }
        return bootstrap;
    }

    BackendSet backends() {
        return backends;
    }

    ListenerStats stats() {
        return stats;
    }

    SelectionStrategy strategy() {
        return strategy;
    }

    void stopAccepting() {
        serverChannel.close().syncUninterruptibly();
    }

    String describe() {
        return describe(address);
    }

    static String describe(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return describe();
    }
}
