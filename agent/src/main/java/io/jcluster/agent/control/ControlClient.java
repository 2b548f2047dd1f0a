package io.jcluster.agent.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.Consumer;

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
     * Reads the parent's messages on a daemon thread, passing each to {@code fromParent}, and runs {@code
     * onParentGone} once the parent closes the connection or dies: the kernel closes a dead process's sockets, so
     * this notices even a SIGKILL of the parent at once. This thread is jcluster's own: it keeps answering (thread
     * dumps, for one) while every thread of the app is deadlocked.
     */
    public void listen(Consumer<ControlMessage> fromParent, Runnable onParentGone) {
        Thread watcher = new Thread(() -> {
            try {
                ControlMessage message;
                while ((message = connection.receive()) != null) {
                    try {
                        fromParent.accept(message);
                    } catch (RuntimeException e) {
                        System.err.println("[jcluster] worker: failed to handle '" + message.encode() + "': " + e);
                    }
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
