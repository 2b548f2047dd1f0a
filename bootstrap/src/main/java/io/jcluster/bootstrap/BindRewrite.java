package io.jcluster.bootstrap;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;

/**
 * The entry points that bind advice, inlined into JDK server-socket classes, calls. It lives on the boot
 * class path because code inside java.base can see nothing else. Until a worker installs a {@link Policy}
 * every call is a no-op, so a class transformed by mistake outside a worker behaves exactly as before.
 */
public final class BindRewrite {

    /** What a worker does with the binds of the app it runs. */
    public interface Policy {
        /** The address to bind instead of {@code requested}, or {@code requested} itself to leave it alone. */
        SocketAddress rewrite(SocketAddress requested);

        /** A rewritten bind succeeded; {@code actual} is where the socket really listens. */
        void bound(SocketAddress requested, SocketAddress actual);
    }

    private static volatile Policy policy;

    private BindRewrite() {
    }

    public static void install(Policy installed) {
        policy = installed;
    }

    public static SocketAddress rewrite(SocketAddress requested) {
        Policy current = policy;
        return current == null ? requested : current.rewrite(requested);
    }

    /** Called after a rewritten bind returned normally; {@code socket} is the object whose bind ran. */
    public static void bound(SocketAddress requested, Object socket) {
        Policy current = policy;
        if (current == null) {
            return;
        }
        SocketAddress actual = localAddress(socket);
        if (actual != null) {
            current.bound(requested, actual);
        }
    }

    private static SocketAddress localAddress(Object socket) {
        try {
            if (socket instanceof ServerSocket) {
                return ((ServerSocket) socket).getLocalSocketAddress();
            }
            if (socket instanceof NetworkChannel) {
                return ((NetworkChannel) socket).getLocalAddress();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
