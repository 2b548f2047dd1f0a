package io.jcluster.agent.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** The worker's end of the control channel. */
public final class ControlClient {

    private final ControlConnection connection;

    private ControlClient(ControlConnection connection) {
        this.connection = connection;
    }

    /** Connects and introduces this worker; the parent closes the connection if it does not accept it. */
    public static ControlClient connect(Path socket, int workerId, long pid, String secret) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        ControlClient client = new ControlClient(new ControlConnection(channel));
        client.send(new ControlMessage.Hello(workerId, pid, secret));
        return client;
    }

    public void send(ControlMessage message) throws IOException {
        connection.send(message);
    }

    /**
     * Runs {@code onParentGone} on a daemon thread once the parent closes the connection or dies: the kernel
     * closes a dead process's sockets, so this notices even a SIGKILL of the parent at once.
     */
    public void onDisconnect(Runnable onParentGone) {
        Thread watcher = new Thread(() -> {
            try {
                while (connection.receive() != null) {
                    // the parent sends nothing yet; later messages are handled here
                }
            } catch (IOException | ControlMessage.MalformedMessage ignored) {
                // a broken connection means the same as a closed one
            }
            onParentGone.run();
        }, "jcluster-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
