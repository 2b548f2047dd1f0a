package io.jcluster.agent.worker;

import io.jcluster.bootstrap.BindRewrite;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.net.InetAddress;
import java.net.SocketAddress;

/**
 * What the app sees: inlined at the return of the local-address getters of server sockets, so that a socket
 * whose bind was rewritten reports the address the app asked for (its own port, for its logs and self-links),
 * not the private one. Like {@link BindAdvice} it may reference only the boot class path, and nothing of
 * Netty: it also runs inside the app's own Netty classes.
 */
public final class SeenAddressAdvice {

    private SeenAddressAdvice() {
    }

    /** {@code getLocalAddress()} of the JDK channels, {@code localAddress()} of Netty's native server channels. */
    public static final class Address {
        private Address() {
        }

        @Advice.OnMethodExit
        public static void exit(@Advice.This Object socket,
                                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) SocketAddress address) {
            address = BindRewrite.seenAs(socket, address);
        }
    }

    /** {@code java.net.ServerSocket#getInetAddress()}. */
    public static final class Host {
        private Host() {
        }

        @Advice.OnMethodExit
        public static void exit(@Advice.This Object socket, @Advice.Return(readOnly = false) InetAddress address) {
            address = BindRewrite.seenHost(socket, address);
        }
    }

    /** {@code java.net.ServerSocket#getLocalPort()}. */
    public static final class Port {
        private Port() {
        }

        @Advice.OnMethodExit
        public static void exit(@Advice.This Object socket, @Advice.Return(readOnly = false) int port) {
            port = BindRewrite.seenPort(socket, port);
        }
    }

    /** {@code getInetAddress()} of ServerSocketChannel's socket() adaptor: the channel is the one that was bound. */
    public static final class AdaptorHost {
        private AdaptorHost() {
        }

        @Advice.OnMethodExit
        public static void exit(@Advice.FieldValue("ssc") Object channel,
                                @Advice.Return(readOnly = false) InetAddress address) {
            address = BindRewrite.seenHost(channel, address);
        }
    }

    /** {@code getLocalPort()} of ServerSocketChannel's socket() adaptor. */
    public static final class AdaptorPort {
        private AdaptorPort() {
        }

        @Advice.OnMethodExit
        public static void exit(@Advice.FieldValue("ssc") Object channel, @Advice.Return(readOnly = false) int port) {
            port = BindRewrite.seenPort(channel, port);
        }
    }
}
