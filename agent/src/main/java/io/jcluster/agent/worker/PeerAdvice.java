package io.jcluster.agent.worker;

import io.jcluster.bootstrap.PeerRewrite;
import net.bytebuddy.asm.Advice;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Inlined where the JDK makes an accepted socket, so that the app sees its client's address as the peer (see
 * {@link PeerRewrite}). Like all advice in java.base it may reference only the boot class path.
 */
public final class PeerAdvice {

    private PeerAdvice() {
    }

    /**
     * {@code sun.nio.ch.ServerSocketChannelImpl#finishAccept(FileDescriptor, SocketAddress)}: every accept of a
     * ServerSocketChannel, blocking or not, and of its socket() adaptor; the address becomes the channel's remote one.
     */
    public static final class ChannelAccept {
        private ChannelAccept() {
        }

        @Advice.OnMethodEnter
        public static void enter(@Advice.FieldValue("localAddress") SocketAddress listener,
                                 @Advice.Argument(value = 1, readOnly = false) SocketAddress remote) {
            remote = PeerRewrite.peer(listener, remote);
        }
    }

    /**
     * {@code sun.nio.ch.UnixAsynchronousServerSocketChannelImpl#finishAccept(FileDescriptor, InetSocketAddress, ...)}
     * (JDK 17 adds an AccessControlContext): AsynchronousServerSocketChannel's accept.
     */
    public static final class AsyncAccept {
        private AsyncAccept() {
        }

        @Advice.OnMethodEnter
        public static void enter(@Advice.FieldValue("localAddress") InetSocketAddress listener,
                                 @Advice.Argument(value = 1, readOnly = false) InetSocketAddress remote) {
            remote = (InetSocketAddress) PeerRewrite.peer(listener, remote);
        }
    }

    /**
     * {@code newChildChannel(...)} of the app's own Netty native server channels (epoll, io_uring, kqueue): the child
     * channel of an accepted connection, before the app sees it. References no Netty type: the app's Netty may be
     * shaded anywhere.
     */
    public static final class NettyAccept {
        private NettyAccept() {
        }

        @Advice.OnMethodExit
        public static void exit(@Advice.Return Object child) {
            PeerRewrite.replaceNettyPeer(child);
        }
    }

    /**
     * {@code sun.nio.ch.NioSocketImpl#accept(SocketImpl)}: ServerSocket's accept (SSLServerSocket's too); on return the
     * accepted impl holds the peer that Socket#getInetAddress and getPort report.
     */
    public static final class SocketAccept {
        private SocketAccept() {
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class)
        public static void exit(@Advice.FieldValue("localport") int listenerPort, @Advice.Argument(0) Object accepted,
                                @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                PeerRewrite.replacePeer(listenerPort, accepted);
            }
        }
    }
}
