package io.jcluster.bootstrap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Worker: what the app sees as the peer of a connection it accepts on a rewritten listener. The connection comes from
 * the parent (127.0.0.1), which published the client it stands for in the {@link ClientAddressTable}; advice inlined
 * where the JDK creates an accepted socket calls here with the peer address the kernel reported, and the app gets the
 * client's address and port instead. Listeners that were not rewritten (balancer=kernel, ports left out of the
 * cluster) and peers other than 127.0.0.1 are left alone.
 *
 * <p>A connection the table has no entry for keeps its loopback peer and is counted ({@link #fallbacks}); the
 * parent's own connections (health probes) and those it closed before the app accepted them keep it too, uncounted.
 */
public final class PeerRewrite {

    private static volatile ClientAddressTable table;
    /** The worker's rewritten listening ports (the private ones it really listens on), one bit each. */
    private static final AtomicLongArray REWRITTEN = new AtomicLongArray(ClientAddressTable.SLOTS / 64);
    private static final AtomicLong FALLBACKS = new AtomicLong();
    private static final AtomicLong REWRITES = new AtomicLong();

    private PeerRewrite() {
    }

    public static void install(ClientAddressTable installed) {
        table = installed;
    }

    /** A rewritten bind now listens on {@code port}: connections accepted there come from the parent. */
    static void listening(int port) {
        if (port > 0 && port < ClientAddressTable.SLOTS) {
            int word = port >>> 6;
            long bit = 1L << (port & 63);
            long bits;
            do {
                bits = REWRITTEN.get(word);
            } while (!REWRITTEN.compareAndSet(word, bits, bits | bit));
        }
    }

    /** Accepted connections whose client the table did not know: they kept the loopback address. */
    public static long fallbacks() {
        return FALLBACKS.get();
    }

    /** Accepted connections that got their client's address. */
    public static long rewrites() {
        return REWRITES.get();
    }

    /**
     * The peer the app sees for a connection accepted by a listener bound to {@code listener} from {@code seen}:
     * the client's address, or {@code seen} itself. NIO's and NIO2's accept.
     */
    public static SocketAddress peer(SocketAddress listener, SocketAddress seen) {
        if (!(listener instanceof InetSocketAddress local) || !(seen instanceof InetSocketAddress remote)) {
            return seen;
        }
        InetSocketAddress client = client(local.getPort(), remote.getAddress(), remote.getPort());
        return client == null ? seen : client;
    }

    /** {@link #peer} for the classic ServerSocket: sets the peer of {@code accepted}, a java.net.SocketImpl. */
    public static void replacePeer(int listenerPort, Object accepted) {
        if (!(accepted instanceof SocketImpl) || table == null || !rewritten(listenerPort)) {
            return;
        }
        VarHandle[] fields = SocketImplFields.HANDLES;
        if (fields == null) {
            FALLBACKS.incrementAndGet();
            return;
        }
        InetSocketAddress client = client(listenerPort, (InetAddress) fields[0].get(accepted),
                (int) fields[1].get(accepted));
        if (client != null) {
            fields[0].set(accepted, client.getAddress());
            fields[1].set(accepted, client.getPort());
        }
    }

    /**
     * {@link #peer} for a child channel the app's own Netty native transport (epoll, io_uring, kqueue) just made for
     * an accepted connection: its {@code remote} field (beside {@code local}, both declared by the transport's
     * abstract channel) is set to the client's address before the app can ask for it. Netty may be shaded under any
     * package, so the fields are found by name; a transport without them keeps its peers untouched.
     */
    public static void replaceNettyPeer(Object child) {
        if (child == null || table == null) {
            return;
        }
        Field[] fields = NETTY_FIELDS.get(child.getClass());
        if (fields == null) {
            return;
        }
        try {
            if (fields[0].get(child) instanceof InetSocketAddress local
                    && fields[1].get(child) instanceof InetSocketAddress remote) {
                InetSocketAddress client = client(local.getPort(), remote.getAddress(), remote.getPort());
                if (client != null) {
                    fields[1].set(child, client);
                }
            }
        } catch (IllegalAccessException | RuntimeException e) {
            FALLBACKS.incrementAndGet();
        }
    }

    /** A Netty native channel class's {@code local} and {@code remote} fields, accessible; null if it has none. */
    private static final ClassValue<Field[]> NETTY_FIELDS = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            for (Class<?> declaring = type; declaring != null; declaring = declaring.getSuperclass()) {
                try {
                    Field local = declaring.getDeclaredField("local");
                    Field remote = declaring.getDeclaredField("remote");
                    if (local.getType() != SocketAddress.class || remote.getType() != SocketAddress.class) {
                        return null;
                    }
                    local.setAccessible(true);
                    remote.setAccessible(true);
                    return new Field[]{local, remote};
                } catch (NoSuchFieldException e) {
                    // declared further up
                } catch (RuntimeException e) {
                    return null; // a named module that does not open its package
                }
            }
            return null;
        }
    };

    /** The client a connection from {@code address}:{@code port} to {@code listenerPort} stands for, or null. */
    private static InetSocketAddress client(int listenerPort, InetAddress address, int port) {
        ClientAddressTable current = table;
        if (current == null || address == null || !address.isLoopbackAddress() || !rewritten(listenerPort)) {
            return null;
        }
        InetSocketAddress client = current.lookup(port, listenerPort);
        if (client == ClientAddressTable.NO_CLIENT) {
            return null;
        }
        if (client == null) {
            FALLBACKS.incrementAndGet();
            return null;
        }
        REWRITES.incrementAndGet();
        return client;
    }

    private static boolean rewritten(int port) {
        return port > 0 && port < ClientAddressTable.SLOTS && (REWRITTEN.get(port >>> 6) & (1L << (port & 63))) != 0;
    }

    /**
     * java.net.SocketImpl's protected {@code address} and {@code port}: the worker opens java.net to this class's
     * module before it installs the hooks; without that (null) the classic ServerSocket keeps its loopback peers.
     */
    private static final class SocketImplFields {
        static final VarHandle[] HANDLES = find();

        private static VarHandle[] find() {
            try {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(SocketImpl.class, MethodHandles.lookup());
                return new VarHandle[]{lookup.findVarHandle(SocketImpl.class, "address", InetAddress.class),
                        lookup.findVarHandle(SocketImpl.class, "port", int.class)};
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }
}
