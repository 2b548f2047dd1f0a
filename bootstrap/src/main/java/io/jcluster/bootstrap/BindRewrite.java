package io.jcluster.bootstrap;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The entry points that bind advice, inlined into JDK server-socket classes (and the app's own Netty native
 * server channels), calls. It lives on the boot class path because code inside java.base can see nothing else.
 * Until a worker installs a {@link Policy} every call is a no-op, so a class transformed by mistake outside a
 * worker behaves exactly as before.
 *
 * <p>What the app sees: a server socket whose bind was rewritten remembers the address the app asked for, and
 * its local-address getters ({@link #seenAs}, {@link #seenHost}, {@link #seenPort}, called by advice on their
 * return) report that address instead of the private one, so the app's logs and self-links name its own port.
 */
public final class BindRewrite {

    /** What a worker does with the binds of the app it runs. */
    public interface Policy {
        /**
         * The address to bind instead of {@code requested}, or {@code requested} itself to leave it alone. To bind
         * the requested address itself and still hear of it in {@link #bound} (a port shared with SO_REUSEPORT, set
         * on {@code socket} here, before its bind), return an equal copy of it: the identity is what counts.
         *
         * @param socket the server socket, channel or Netty server channel about to bind, not bound yet
         */
        SocketAddress rewrite(SocketAddress requested, Object socket);

        /** A rewritten bind of {@code socket} succeeded; {@code actual} is where it really listens. */
        void bound(SocketAddress requested, SocketAddress actual, Object socket);
    }

    private static volatile Policy policy;

    /** Rewritten server sockets (ServerSocket, the JDK channels, Netty channels) to the address the app asked for. */
    private static final Map<Object, InetSocketAddress> REQUESTED = Collections.synchronizedMap(new WeakHashMap<>());
    /** Fast path for the getters: false until the first rewritten bind. */
    private static volatile boolean anyRewritten;

    private BindRewrite() {
    }

    public static void install(Policy installed) {
        policy = installed;
    }

    public static SocketAddress rewrite(SocketAddress requested, Object socket) {
        Policy current = policy;
        return current == null ? requested : current.rewrite(requested, socket);
    }

    /** Called after a rewritten bind returned normally; {@code socket} is the object whose bind ran. */
    public static void bound(SocketAddress requested, Object socket) {
        Policy current = policy;
        if (current == null) {
            return;
        }
        SocketAddress actual = localAddress(socket);
        if (actual == null) {
            return;
        }
        // a shared port (balancer=kernel) listens where the app asked: nothing to report differently
        if (requested instanceof InetSocketAddress && !requested.equals(actual)) {
            REQUESTED.put(socket, (InetSocketAddress) requested);
            anyRewritten = true;
            if (actual instanceof InetSocketAddress listening) {
                PeerRewrite.listening(listening.getPort());
            }
        }
        current.bound(requested, actual, socket);
    }

    /** What a local-address getter of {@code socket} reports: the address the app asked for, if it was rewritten. */
    public static SocketAddress seenAs(Object socket, SocketAddress actual) {
        InetSocketAddress requested = requested(socket, actual);
        return requested == null ? actual : requested;
    }

    /** {@link #seenAs} for getters of the host alone ({@code ServerSocket#getInetAddress}). */
    public static InetAddress seenHost(Object socket, InetAddress actual) {
        InetSocketAddress requested = requested(socket, actual);
        return requested == null ? actual : requested.getAddress();
    }

    /** {@link #seenAs} for getters of the port alone ({@code ServerSocket#getLocalPort}); -1 stays -1 (unbound). */
    public static int seenPort(Object socket, int actual) {
        InetSocketAddress requested = actual < 0 ? null : requested(socket, actual);
        return requested == null ? actual : requested.getPort();
    }

    private static InetSocketAddress requested(Object socket, Object actual) {
        if (!anyRewritten || actual == null || socket == null) {
            return null;
        }
        InetSocketAddress requested = REQUESTED.get(socket);
        return requested == null || wantsRealAddress() ? null : requested;
    }

    /**
     * Server code that connects to its own listener's local address to wake its blocked acceptor must reach this
     * very process, not the balancer (which may pick another worker, or has stopped accepting): Tomcat's
     * {@code AbstractEndpoint#unlockAccept}, on every connector stop. Those callers get the real address.
     */
    private static boolean wantsRealAddress() {
        return StackWalker.getInstance().walk(frames -> frames.limit(12).anyMatch(frame ->
                frame.getMethodName().equals("unlockAccept")
                        && frame.getClassName().endsWith(".tomcat.util.net.AbstractEndpoint")));
    }

    /** Where {@code socket} really listens, asked before it is registered (so its getters still tell the truth). */
    private static SocketAddress localAddress(Object socket) {
        try {
            if (socket instanceof ServerSocket) {
                return ((ServerSocket) socket).getLocalSocketAddress();
            }
            if (socket instanceof NetworkChannel) {
                return ((NetworkChannel) socket).getLocalAddress();
            }
            // a Netty channel of the app's own (possibly shaded) Netty: its public localAddress()
            Method localAddress = socket.getClass().getMethod("localAddress");
            Object address = localAddress.invoke(socket);
            return address instanceof SocketAddress ? (SocketAddress) address : null;
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
