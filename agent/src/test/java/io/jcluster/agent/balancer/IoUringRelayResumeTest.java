package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options.TransportChoice;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reduced reproducer of the io_uring relay stall (issue 18; BackPressureIT saw it): the real {@link Relay} pair
 * ({@link Tunnel#join}) on the balancer's io_uring configuration, over loopback, between a backend that sends
 * 64 MiB as fast as it can and then closes, and a client that reads nothing for a while, then everything.
 * The relay pauses the backend for back-pressure and resumes it when the client drains; a stall shows as a
 * client read that times out, and the failure message shows both channels' transport state.
 */
class IoUringRelayResumeTest {

    private static final int TOTAL = 64 * 1024 * 1024;
    private static final int RUNS = 20;

    @Test
    void aRelayPausedForAClientThatReadsLateDeliversEveryByte() throws Exception {
        assumeTrue(IoUring.isAvailable(), "io_uring is not available here: " + IoUring.unavailabilityCause());
        Transport transport = Transport.choose(TransportChoice.IO_URING);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlers);
        try {
            for (int run = 0; run < RUNS; run++) {
                List<String> stall = new CopyOnWriteArrayList<>();
                long received = relayOnce(transport, group, 100 + 50 * run, stall);
                assertEquals(TOTAL, received, "run " + run + " stalled: " + stall);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * The transport's other half of the same behaviour: a read that no channelReadComplete follows (as after a
     * cancelled multishot receive) must still reach the peer while it is writable, or a client that waits for the
     * answer to what it sent waits for good. The read is fired on the real io_uring channel's pipeline without the
     * batch's end; the backend's socket must receive it.
     */
    @Test
    void aReadThatNoReadCompleteFollowsStillReachesTheWritablePeer() throws Exception {
        assumeTrue(IoUring.isAvailable(), "io_uring is not available here: " + IoUring.unavailabilityCause());
        Transport transport = Transport.choose(TransportChoice.IO_URING);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlers);
        try (ServerSocket clients = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket backends = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Channel client = connect(transport, group, clients);
            Channel backend = connect(transport, group, backends);
            try (Socket clientFar = clients.accept(); Socket backendFar = backends.accept()) {
                RelayUpstream upstream = new RelayUpstream(1);
                client.eventLoop().submit(() -> Tunnel.join(upstream, client, backend,
                        new BackendLease(upstream.all[0]), RequestStart.NONE)).sync();
                byte[] request = "GET / HTTP/1.1\r\nhost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                client.eventLoop().submit(() -> client.pipeline().fireChannelRead(Unpooled.wrappedBuffer(request)))
                        .sync();
                backendFar.setSoTimeout(3_000);
                byte[] received = backendFar.getInputStream().readNBytes(request.length);
                assertEquals(new String(request, StandardCharsets.US_ASCII),
                        new String(received, StandardCharsets.US_ASCII), "the bytes stayed in the relay unflushed: "
                                + backend.eventLoop().submit(() -> state(backend)).get());
            } finally {
                client.close().sync();
                backend.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static Channel connect(Transport transport, EventLoopGroup group, ServerSocket to) throws Exception {
        Bootstrap connector = new Bootstrap();
        transport.configure(connector);
        return connector.group(group).channelFactory(transport.clientChannels)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Listener.WATER_MARK)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(to.getLocalSocketAddress()).sync().channel();
    }

    private static long relayOnce(Transport transport, EventLoopGroup group, long pauseMillis, List<String> stall)
            throws Exception {
        AtomicLong received = new AtomicLong();
        List<Channel> relayed = new CopyOnWriteArrayList<>();
        try (ServerSocket backend = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread firehose = new Thread(() -> {
                try (Socket s = backend.accept(); OutputStream out = s.getOutputStream()) {
                    byte[] chunk = new byte[16 * 1024];
                    for (int sent = 0; sent < TOTAL; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (Exception e) {
                    // the relay went away: the assertion on what the client received tells
                }
            }, "firehose");
            firehose.setDaemon(true);
            firehose.start();
            ServerBootstrap server = new ServerBootstrap();
            transport.configure(server);
            Channel listening = server.group(group).channelFactory(transport.serverChannels)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Listener.WATER_MARK)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel client) {
                            Bootstrap connector = new Bootstrap();
                            transport.configure(connector);
                            connector.group(client.eventLoop()).channelFactory(transport.clientChannels)
                                    .option(ChannelOption.AUTO_READ, false)
                                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Listener.WATER_MARK)
                                    .handler(new ChannelInboundHandlerAdapter())
                                    .connect(backend.getLocalSocketAddress())
                                    .addListener((ChannelFutureListener) connected -> {
                                        Channel back = connected.channel();
                                        relayed.add(client);
                                        relayed.add(back);
                                        RelayUpstream upstream = new RelayUpstream(1);
                                        Tunnel.join(upstream, client, back, new BackendLease(upstream.all[0]),
                                                RequestStart.NONE);
                                    });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(listening.localAddress());
                client.setSoTimeout(3_000); // a stalled relay ends the read instead of hanging the test
                Thread.sleep(pauseMillis); // the backend fills the relay while the client reads nothing
                InputStream in = client.getInputStream();
                byte[] buffer = new byte[1 << 16];
                int read;
                try {
                    while ((read = in.read(buffer)) >= 0) {
                        received.addAndGet(read);
                    }
                } catch (SocketTimeoutException stalled) {
                    for (Channel channel : relayed) {
                        stall.add(channel.eventLoop().submit(() -> state(channel)).get());
                    }
                }
            } finally {
                listening.close().sync();
                for (Channel channel : relayed) {
                    channel.close().sync();
                }
            }
        }
        return received.get();
    }

    /** The channel's writability, pending outbound bytes and its transport's primitive state fields. */
    static String state(Channel channel) {
        StringBuilder text = new StringBuilder(channel.toString()).append(" writable=").append(channel.isWritable());
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        if (out != null) {
            text.append(" pendingBytes=").append(out.totalPendingWriteBytes()).append(" flushedMessages=")
                    .append(out.size());
        }
        for (Class<?> type = channel.getClass(); type != null; type = type.getSuperclass()) {
            for (java.lang.reflect.Field field : type.getDeclaredFields()) {
                if (field.getType().isPrimitive() && !java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                    try {
                        field.setAccessible(true);
                        text.append(' ').append(field.getName()).append('=').append(field.get(channel));
                    } catch (RuntimeException | IllegalAccessException e) {
                        text.append(' ').append(field.getName()).append("=?");
                    }
                }
            }
        }
        return text.toString();
    }
}
