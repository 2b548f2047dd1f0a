package io.jcluster.agent.worker;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * balancer=kernel: the server sockets of a worker that share the app's port with the other workers. Before its bind
 * each gets SO_REUSEPORT (and SO_REUSEADDR), so that every worker can bind the same address and the kernel spreads
 * new connections over them; when the worker is to leave rotation they are closed, so the kernel stops giving it
 * connections (those already waiting in its accept queue are lost with the socket: a limit of SO_REUSEPORT).
 *
 * <p>Three kinds of socket reach here: {@code java.net.ServerSocket}, the JDK's channels (ServerSocketChannel,
 * AsynchronousServerSocketChannel: both {@link NetworkChannel}), and the app's own Netty native server channels
 * (epoll, io_uring), reached by reflection through their public {@code config().setReusePort(boolean)} as the app's
 * Netty may be shaded under any package. No Netty type is referenced.
 */
final class SharedListeners {

    private final List<Object> sockets = new ArrayList<>();
    private boolean closed;

    /**
     * Sets SO_REUSEPORT and SO_REUSEADDR on {@code socket}, which is about to bind. Returns null when done, else why
     * it cannot be shared (the caller tells the parent, which stops: one worker alone would serve).
     */
    String prepare(Object socket) {
        try {
            if (socket instanceof ServerSocket server) {
                server.setReuseAddress(true);
                server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            } else if (socket instanceof NetworkChannel channel) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            } else {
                Object config = socket.getClass().getMethod("config").invoke(socket);
                config.getClass().getMethod("setReuseAddress", boolean.class).invoke(config, true);
                config.getClass().getMethod("setReusePort", boolean.class).invoke(config, true);
            }
            return null;
        } catch (NoSuchMethodException e) {
            return socket.getClass().getName() + " offers no way to set SO_REUSEPORT (" + e.getMessage() + ")";
        } catch (InvocationTargetException e) {
            return "setting SO_REUSEPORT on " + socket.getClass().getName() + " failed: " + e.getCause();
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            return "setting SO_REUSEPORT on " + socket.getClass().getName() + " failed: " + e;
        }
    }

    /** {@code socket} is bound and shared; a socket bound after {@link #closeAll} is closed at once. */
    void add(Object socket) {
        boolean late;
        synchronized (this) {
            late = closed;
            if (!late) {
                sockets.add(socket);
            }
        }
        if (late) {
            close(socket);
        }
    }

    /** Closes every shared listening socket: the kernel gives this worker no new connection from now on. */
    int closeAll() {
        List<Object> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(sockets);
            sockets.clear();
        }
        all.forEach(SharedListeners::close);
        return all.size();
    }

    private static void close(Object socket) {
        try {
            if (socket instanceof Closeable closeable) {
                closeable.close();
            } else {
                // a Netty channel: close() is thread-safe, it runs on the channel's event loop
                Method close = socket.getClass().getMethod("close");
                close.invoke(socket);
            }
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            System.err.println("[jcluster] worker: could not close the shared listening socket " + socket + " (" + e
                    + "); it keeps taking connections until the worker exits");
        }
    }
}
