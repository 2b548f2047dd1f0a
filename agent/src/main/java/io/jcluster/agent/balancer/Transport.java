package io.jcluster.agent.balancer;

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

import java.lang.reflect.Method;

/** The socket implementation the balancer runs on: native epoll where the kernel and JVM allow it, else NIO. */
final class Transport {

    final String name;
    final IoHandlerFactory ioHandlers;
    final ChannelFactory<? extends ServerChannel> serverChannels;
    final ChannelFactory<? extends SocketChannel> clientChannels;
    /** Why a faster transport is not in use, or null. */
    final String note;

    private Transport(String name, IoHandlerFactory ioHandlers, ChannelFactory<? extends ServerChannel> serverChannels,
                      ChannelFactory<? extends SocketChannel> clientChannels, String note) {
        this.name = name;
        this.ioHandlers = ioHandlers;
        this.serverChannels = serverChannels;
        this.clientChannels = clientChannels;
        this.note = note;
    }

    static Transport choose() {
        if (!nativeAccessAllowedQuietly()) {
            return nio("using NIO, not epoll: on JDK 24+ native code needs --enable-native-access=ALL-UNNAMED"
                    + " on the java command line (add it for epoll)");
        }
        if (Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel::new,
                    EpollSocketChannel::new, null);
        }
        return nio("using NIO, not epoll: epoll is not available here (" + Epoll.unavailabilityCause() + ")");
    }

    private static Transport nio(String note) {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel::new, NioSocketChannel::new, note);
    }

    /**
     * JDK 24+ warns on the first native library load unless native access was granted; loading epoll there
     * without the grant would print a surprise warning, so it is not tried.
     */
    private static boolean nativeAccessAllowedQuietly() {
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
