package io.jcluster.agent.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two connected unix-domain socket channels, bound in a fresh temporary directory (deleted on close), and a real
 * {@link ControlConnection} over either end: for tests that play one side of the control channel, in any package.
 */
public final class UnixSocketPair implements AutoCloseable {

    private final Path directory;
    private final ServerSocketChannel server;
    private final SocketChannel near;
    private final SocketChannel far;

    private UnixSocketPair(Path directory, ServerSocketChannel server, SocketChannel near, SocketChannel far) {
        this.directory = directory;
        this.server = server;
        this.near = near;
        this.far = far;
    }

    public static UnixSocketPair open() throws IOException {
        Path directory = Files.createTempDirectory("jcluster-test-control");
        Path socket = directory.resolve("control.sock");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        SocketChannel near = SocketChannel.open(StandardProtocolFamily.UNIX);
        near.connect(UnixDomainSocketAddress.of(socket)); // completes from the backlog, before the accept
        SocketChannel far = server.accept();
        return new UnixSocketPair(directory, server, near, far);
    }

    /** A server socket alone, for a client that connects by path (ControlClient). */
    public static ServerSocketChannel listen(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return server;
    }

    /** A real control connection over {@code channel}. */
    public static ControlConnection connection(SocketChannel channel) {
        return new ControlConnection(channel);
    }

    public SocketChannel near() {
        return near;
    }

    public SocketChannel far() {
        return far;
    }

    @Override
    public void close() throws IOException {
        near.close();
        far.close();
        server.close();
        Files.deleteIfExists(directory.resolve("control.sock"));
        Files.deleteIfExists(directory);
    }
}
