package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options.TransportChoice;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.lang.reflect.Method;

/**
 * The socket implementation the balancer runs on. {@code auto} takes io_uring where the kernel allows it (it cost
 * the least CPU per request here: bench/RESULTS.md), then epoll, then NIO.
 */
public final class Transport {

    /** A transport that was asked for by name and cannot run here; the message is the line to show. */
    public static final class UnavailableException extends Exception {
        UnavailableException(String message) {
            super(message);
        }
    }

    final String name;
    final IoHandlerFactory ioHandlers;
    final ChannelFactory<? extends ServerChannel> serverChannels;
    final ChannelFactory<? extends SocketChannel> clientChannels;
    /** Why a faster transport is not in use, or null. */
    final String note;

    /** Whether reads take their buffers from an io_uring provided-buffer ring ({@link #BUFFER_GROUP}). */
    private final boolean bufferRing;

    private Transport(String name, IoHandlerFactory ioHandlers, ChannelFactory<? extends ServerChannel> serverChannels,
                      ChannelFactory<? extends SocketChannel> clientChannels, String note, boolean bufferRing) {
        this.bufferRing = bufferRing;
        this.name = name;
        this.ioHandlers = ioHandlers;
        this.serverChannels = serverChannels;
        this.clientChannels = clientChannels;
        this.note = note;
    }

    /** @throws UnavailableException when {@code choice} names a transport this machine or JVM cannot run */
    public static Transport choose(TransportChoice choice) throws UnavailableException {
        switch (choice) {
            case NIO:
                return nio(null);
            case EPOLL:
                nativeAccessOrThrow(choice);
                if (!Epoll.isAvailable()) {
                    throw unavailable(choice, Epoll.unavailabilityCause());
                }
                return epoll(null);
            case IO_URING:
                nativeAccessOrThrow(choice);
                if (!IoUring.isAvailable()) {
                    throw unavailable(choice, IoUring.unavailabilityCause());
                }
                return ioUring();
            default:
                return auto();
        }
    }

    /**
     * io_uring, else epoll, else NIO; the note says why a faster one was passed over. (io_uring once stalled a
     * relay paused for back-pressure: see {@link Relay#channelRead} and IoUringRelayResumeTest.)
     */
    static Transport auto() {
        if (!nativeAccessAllowedQuietly()) {
            return nio("using NIO, not io_uring or epoll: on JDK 24+ native code needs"
                    + " --enable-native-access=ALL-UNNAMED on the java command line (add it for io_uring)");
        }
        if (IoUring.isAvailable()) {
            return ioUring();
        }
        String noUring = "io_uring is not available here (" + firstLine(IoUring.unavailabilityCause()) + ")";
        if (Epoll.isAvailable()) {
            return epoll("using epoll, not io_uring: " + noUring);
        }
        return nio("using NIO: " + noUring + " and neither is epoll (" + firstLine(Epoll.unavailabilityCause()) + ")");
    }

    /**
     * With a provided-buffer ring the kernel picks each read's buffer itself and one multishot receive stays armed
     * per connection, instead of a receive submitted per read: 5-6% less CPU per relayed request here (bench/RESULTS.md).
     */
    private static Transport ioUring() {
        if (!IoUring.isRegisterBufferRingSupported()) {
            return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel::new,
                    IoUringSocketChannel::new, null, false);
        }
        IoUringIoHandlerConfig config = new IoUringIoHandlerConfig().setBufferRingConfig(
                IoUringBufferRingConfig.builder().bufferGroupId(BUFFER_GROUP).bufferRingSize((short) 512)
                        .batchSize(64).allocator(RingBuffers.allocator()).build());
        return new Transport("io_uring", IoUringIoHandler.newFactory(config), IoUringServerSocketChannel::new,
                IoUringSocketChannel::new, null, true);
    }

    private static final short BUFFER_GROUP = 1;

    void configure(ServerBootstrap bootstrap) {
        if (bufferRing) {
            bootstrap.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP);
        }
    }

    void configure(Bootstrap bootstrap) {
        if (bufferRing) {
            bootstrap.option(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, BUFFER_GROUP);
        }
    }

    private static Transport epoll(String note) {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel::new,
                EpollSocketChannel::new, note, false);
    }

    private static Transport nio(String note) {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel::new, NioSocketChannel::new, note, false);
    }

    /** "io_uring", "epoll" or "nio". */
    public String name() {
        return name;
    }

    /** Why a faster transport is not in use, or null. */
    public String note() {
        return note;
    }

    private static void nativeAccessOrThrow(TransportChoice choice) throws UnavailableException {
        if (!nativeAccessAllowedQuietly()) {
            throw new UnavailableException("transport=" + choice.key() + ": on JDK 24+ native code needs"
                    + " --enable-native-access=ALL-UNNAMED on the java command line (add it, or use transport=auto)");
        }
    }

    private static UnavailableException unavailable(TransportChoice choice, Throwable cause) {
        return new UnavailableException("transport=" + choice.key() + " is not available here ("
                + firstLine(cause) + "); use transport=auto to fall back to what is");
    }

    private static String firstLine(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        String text = String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    /**
     * JDK 24+ warns on the first native library load unless native access was granted; loading a native
     * transport (or OpenSSL for TLS) there without the grant would print a surprise warning, so none is tried.
     */
    public static boolean nativeAccessAllowedQuietly() {
        if (Runtime.version().feature() < 24) {
            return true;
        }
        try {
            Method enabled = Module.class.getMethod("isNativeAccessEnabled");
            return (Boolean) enabled.invoke(Transport.class.getModule());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
