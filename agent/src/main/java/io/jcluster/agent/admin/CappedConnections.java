package io.jcluster.agent.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The accepted connections of one of the parent's small listeners (the admin endpoint, the stop ports): at most
 * {@code max} open at once, more closed at once, so that slow or silent clients (slowloris) cannot pile up.
 */
public final class CappedConnections extends ChannelInitializer<SocketChannel> {

    private final int max;
    private final Runnable tooMany;
    private final Consumer<SocketChannel> pipeline;
    private final AtomicInteger open = new AtomicInteger();

    /**
     * @param tooMany  told each time a connection past {@code max} is closed (a rate-limited log line)
     * @param pipeline sets up an admitted connection's pipeline
     */
    public CappedConnections(int max, Runnable tooMany, Consumer<SocketChannel> pipeline) {
        this.max = max;
        this.tooMany = tooMany;
        this.pipeline = pipeline;
    }

    /** One event loop on a daemon thread named {@code thread}: such a listener never keeps the parent alive. */
    public static EventLoopGroup eventLoop(String thread) {
        return new MultiThreadIoEventLoopGroup(1, runnable -> {
            Thread daemon = new Thread(runnable, thread);
            daemon.setDaemon(true);
            return daemon;
        }, NioIoHandler.newFactory());
    }

    @Override
    protected void initChannel(SocketChannel client) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            tooMany.run();
            client.close();
            return;
        }
        client.closeFuture().addListener(closed -> open.decrementAndGet());
        pipeline.accept(client);
    }
}
