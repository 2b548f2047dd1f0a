package io.jcluster.agent.control;

import io.jcluster.agent.log.Log;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The parent's end of the control channel: a unix-domain socket in a fresh 0700 directory, and a per-launch
 * secret that the first line of every connection must present. Anything else is refused and logged.
 */
public final class ControlServer implements AutoCloseable {


    private final Path directory;
    private final Path socketPath;
    private final String secret;
    private final ServerSocketChannel server;
    private volatile ControlListener listener;
    /** Where a worker's report of its server's own stop port goes (the parent listens there instead). */
    private volatile Consumer<ControlMessage.StopPort> stopPorts = report -> { };
    private volatile ClusterListener cluster;
    private volatile boolean closed;

    private ControlServer(Path directory, String secret, ServerSocketChannel server) {
        this.directory = directory;
        this.socketPath = directory.resolve(ControlDirectory.SOCKET);
        this.secret = secret;
        this.server = server;
    }

    /** Creates the socket in a new directory; connections wait in its backlog until {@link #serve} is called. */
    public static ControlServer open() throws IOException {
        return openIn(ControlDirectory.newDirectory());
    }

    /**
     * Creates the socket in {@code directory}, which this process made with {@link ControlDirectory#newDirectory}
     * before its restart (its path came through the environment); refused unless it is still what that made
     * ({@link ControlDirectory#checkPrivate}).
     */
    public static ControlServer adopt(Path directory) throws IOException {
        ControlDirectory.checkPrivate(directory);
        return openIn(directory);
    }

    static ControlServer adopt(Path directory, Object ownUid) throws IOException {
        ControlDirectory.checkPrivate(directory, ownUid);
        return openIn(directory);
    }

    private static ControlServer openIn(Path directory) throws IOException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ControlServer control = new ControlServer(directory, HexFormat.of().formatHex(random), server);
        server.bind(UnixDomainSocketAddress.of(control.socketPath));
        return control;
    }

    /** Starts accepting connections; their messages go to {@code to}, their Cluster API frames to {@code frames}. */
    public void serve(ControlListener to, ClusterListener frames) {
        this.cluster = frames;
        this.listener = to;
        Thread accept = new Thread(this::acceptLoop, "jcluster-control");
        accept.setDaemon(true);
        accept.start();
    }

    /** From now on the workers' {@code stop-port} reports go to {@code to}; call before {@link #serve}. */
    public void hearStopPorts(Consumer<ControlMessage.StopPort> to) {
        this.stopPorts = to;
    }

    /** The private directory; the parent keeps other per-launch files here, deleted with it. */
    public Path directory() {
        return directory;
    }

    public Path socketPath() {
        return socketPath;
    }

    public String secret() {
        return secret;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel channel = server.accept();
                ControlConnection connection;
                try {
                    connection = new ControlConnection(channel);
                } catch (IOException e) {
                    channel.close();
                    Log.info("control channel: could not set up an accepted connection (" + e.getMessage() + ")");
                    continue;
                }
                Thread reader = new Thread(() -> serve(connection), "jcluster-control-conn");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                if (!closed) {
                    Log.error("control channel stopped accepting", e);
                }
                return;
            }
        }
    }

    private void serve(ControlConnection connection) {
        ControlListener.Session session = null;
        ClusterListener.Peer peer = null;
        try (connection) {
            ControlMessage first = connection.receive();
            if (first == null) {
                return;
            }
            session = admit(first, connection);
            if (session == null) {
                return;
            }
            ControlMessage.Hello hello = (ControlMessage.Hello) first;
            peer = cluster.joined(hello.workerId(), hello.pid(), connection);
            ControlMessage message;
            while ((message = connection.receive()) != null) {
                if (message instanceof ControlMessage.Cluster frame) {
                    deliver(peer, frame.frame());
                } else {
                    deliver(session, message);
                }
            }
        } catch (IOException e) {
            // the worker went away mid-line: same as end of stream
        } catch (ControlMessage.MalformedMessage e) {
            Log.info("control channel: closed a connection that sent a malformed message (" + e.getMessage() + ")");
        } finally {
            if (peer != null) {
                peer.left();
            }
            if (session != null) {
                session.closed();
            }
        }
    }

    private static void deliver(ClusterListener.Peer peer, ClusterFrame frame) {
        try {
            peer.received(frame);
        } catch (RuntimeException e) {
            Log.error("control channel: failed to handle a cluster frame " + frame.getClass().getSimpleName(), e);
        }
    }

    /** A failure while handling a message is the parent's, not the worker's: it is logged, the channel stays. */
    private void deliver(ControlListener.Session session, ControlMessage message) {
        try {
            if (message instanceof ControlMessage.StopPort report) {
                stopPorts.accept(report);
            } else if (message instanceof ControlMessage.Bound bound) {
                session.bound(bound.requested(), bound.actualPort());
            } else if (message instanceof ControlMessage.Unclustered unclustered) {
                session.unclustered(unclustered.requested());
            } else if (message instanceof ControlMessage.Unshared unshared) {
                session.unshared(unshared.requested(), unshared.why());
            } else if (message instanceof ControlMessage.Stats stats) {
                session.stats(stats);
            } else if (message instanceof ControlMessage.ClientAddressFallbacks fallbacks) {
                session.clientAddressFallbacks(fallbacks.count());
            } else if (message instanceof ControlMessage.DumpLine line) {
                session.dumpLine(line.text());
            } else if (message instanceof ControlMessage.DumpEnd) {
                session.dumpEnd();
            } else {
                Log.info("control channel: unexpected message " + message.encode().split(" ")[0]
                        + " after hello; ignored");
            }
        } catch (RuntimeException e) {
            // a stop-port line carries a password: its toString leaves it out
            String shown = message instanceof ControlMessage.StopPort ? message.toString() : message.encode();
            Log.error("control channel: failed to handle '" + shown + "'", e);
        }
    }

    private ControlListener.Session admit(ControlMessage first, ControlConnection connection) {
        if (!(first instanceof ControlMessage.Hello hello)) {
            Log.info("control channel: refused a connection that did not start with hello");
            return null;
        }
        if (!MessageDigest.isEqual(hello.secret().getBytes(StandardCharsets.UTF_8),
                secret.getBytes(StandardCharsets.UTF_8))) {
            Log.info("control channel: refused a connection with a wrong secret (claimed worker "
                    + hello.workerId() + ", pid " + hello.pid() + ")");
            return null;
        }
        ControlListener.Session session = listener.accept(hello.workerId(), hello.pid(), connection);
        if (session == null) {
            Log.info("control channel: refused worker " + hello.workerId() + " pid " + hello.pid()
                    + ": not a worker this parent started, or already connected");
        }
        return session;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
        ControlDirectory.deleteFlat(directory);
    }






}
