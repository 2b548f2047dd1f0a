package io.jcluster.agent.control;

import io.jcluster.agent.config.OptionReread;
import io.jcluster.agent.log.Log;
import io.jcluster.bootstrap.ClientAddressTable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The parent's end of the control channel: a unix-domain socket in a fresh 0700 directory, and a per-launch
 * secret that the first line of every connection must present. Anything else is refused and logged.
 */
public final class ControlServer implements AutoCloseable {

    private static final String DIRECTORY_PREFIX = "jcluster-control-";
    private static final String SOCKET = "control.sock";
    /** A directory without a socket this old is no launch in progress. */
    private static final long ABANDONED_AFTER_MILLIS = 10 * 60 * 1000;
    /** A socket younger than this may belong to a parent between bind and listen: never swept. */
    private static final long STARTING_FOR_MILLIS = 60 * 1000;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

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
        this.socketPath = directory.resolve(SOCKET);
        this.secret = secret;
        this.server = server;
    }

    /** Creates the socket in a new directory; connections wait in its backlog until {@link #serve} is called. */
    public static ControlServer open() throws IOException {
        return openIn(newDirectory());
    }

    /**
     * A new private directory (mode 0700, in the temp directory) for one launch, stale ones of other launches swept.
     * The parent makes it before its restart (the classes it prepares go there) or in {@link #open}.
     */
    public static Path newDirectory() throws IOException {
        Path directory = Files.createTempDirectory(DIRECTORY_PREFIX,
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        sweepStaleDirectories(directory.getParent(), Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS));
        return directory;
    }

    /**
     * Creates the socket in {@code directory}, which this process made with {@link #newDirectory} before its restart
     * (its path came through the environment); refused unless it is still what that made ({@link #checkPrivate}).
     */
    public static ControlServer adopt(Path directory) throws IOException {
        checkPrivate(directory);
        return openIn(directory);
    }

    static ControlServer adopt(Path directory, Object ownUid) throws IOException {
        checkPrivate(directory, ownUid);
        return openIn(directory);
    }

    /**
     * Throws unless {@code directory} is what {@link #newDirectory} made: a directory, not a symbolic link, owned by
     * this process's user, mode exactly 0700, named as ours. Checked before anything in it is read.
     */
    public static void checkPrivate(Path directory) throws IOException {
        // the owner of /proc/self is this process's (effective) user
        checkPrivate(directory, Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    static void checkPrivate(Path directory, Object ownUid) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        Object uid = Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isDirectory() || attributes.isSymbolicLink() || !attributes.permissions().equals(OWNER_ONLY)
                || uid == null || !uid.equals(ownUid)
                || !directory.getFileName().toString().startsWith(DIRECTORY_PREFIX)) {
            throw new IOException(directory + " is not a private directory of this user's (a directory, mode 0700,"
                    + " named " + DIRECTORY_PREFIX + "*)");
        }
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
        deleteFlat(directory);
    }

    /**
     * Removes what parents killed by SIGKILL left behind: directories whose socket no longer answers (connection
     * refused: nobody listens), or that never got a socket and are old. A live parent's socket accepts, so its
     * directory is never touched.
     *
     * <p>{@code temp} is shared with every user (and the parent may run as root, which may delete anything), so
     * only what is certainly a directory of this launch's kind is touched: an entry named jcluster-control-*, that
     * is a directory and not a symbolic link, owned by {@code owner}, mode exactly 0700; in it only the files a
     * parent creates ({@link #isOurs}), never a subdirectory. Everything goes through one {@link
     * SecureDirectoryStream} (openat/unlinkat with O_NOFOLLOW on Linux), so an entry swapped for a symbolic link
     * between the check and the deletion is not followed. Where the platform offers no such stream, nothing is
     * swept. A directory holding anything else stays, with that.
     */
    static void sweepStaleDirectories(Path temp, UserPrincipal owner) {
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(temp, DIRECTORY_PREFIX + "*")) {
            if (!(candidates instanceof SecureDirectoryStream<Path> secure)) {
                return;
            }
            for (Path candidate : candidates) {
                try {
                    sweep(secure, candidate, owner);
                } catch (IOException | RuntimeException ignored) {
                    // gone meanwhile, or not ours to read: leave it
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // sweeping is a courtesy; failing at it must not stop a launch
        }
    }

    private static void sweep(SecureDirectoryStream<Path> temp, Path candidate, UserPrincipal owner) throws IOException {
        Path name = candidate.getFileName();
        PosixFileAttributes entry = temp.getFileAttributeView(name, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).readAttributes();
        if (!privateDirectoryOf(entry, owner)) {
            return;
        }
        try (SecureDirectoryStream<Path> directory = temp.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            // what was opened is what was checked: the same directory, still private
            PosixFileAttributes opened = directory.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
            if (!privateDirectoryOf(opened, owner) || !opened.fileKey().equals(entry.fileKey())
                    || !isStale(directory, opened, candidate.resolve(SOCKET))) {
                return;
            }
            List<Path> files = new ArrayList<>();
            directory.forEach(file -> files.add(file.getFileName()));
            for (Path file : files) {
                PosixFileAttributes attributes = directory.getFileAttributeView(file, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).readAttributes();
                if (isOurs(file.toString()) && (attributes.isRegularFile() || attributes.isOther())) {
                    directory.deleteFile(file);
                }
            }
        }
        temp.deleteDirectory(name); // fails, leaving it, when anything else is in it
    }

    private static boolean privateDirectoryOf(PosixFileAttributes attributes, UserPrincipal owner) {
        return attributes.isDirectory() && !attributes.isSymbolicLink() && attributes.owner().equals(owner)
                && attributes.permissions().equals(OWNER_ONLY);
    }

    /**
     * The files a parent puts in its directory: the socket, the client address table, @argfile copies, the
     * prepared classes, the workers' copy of the options (and its temporary name while it is rewritten).
     */
    static boolean isOurs(String name) {
        return name.equals(SOCKET) || name.equals(ClientAddressTable.FILE_NAME) || name.matches("argfile-[0-9]+")
                || name.matches("[A-Za-z0-9_$.]+\\.class") || name.equals(OptionReread.WORKER_COPY)
                || name.equals(OptionReread.WORKER_COPY + OptionReread.BEING_WRITTEN);
    }

    /** No socket and old, or a socket nobody listens on; {@code socketPath} names it for a connect. */
    private static boolean isStale(SecureDirectoryStream<Path> directory, PosixFileAttributes attributes,
                                   Path socketPath) throws IOException {
        PosixFileAttributes socket;
        try {
            socket = directory.getFileAttributeView(Path.of(SOCKET), PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException none) {
            long age = System.currentTimeMillis() - attributes.lastModifiedTime().toMillis();
            return age > ABANDONED_AFTER_MILLIS;
        }
        if (!socket.isOther()) {
            return false; // not a socket: not a parent's directory
        }
        // a parent that is starting has bound its socket but may not listen yet (the JDK binds, then listens): a
        // refusal only counts once the socket is old enough that no launch is still between the two
        long socketAge = System.currentTimeMillis() - socket.lastModifiedTime().toMillis();
        if (socketAge < STARTING_FOR_MILLIS) {
            return false;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socketPath));
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    /** The directory holds only flat files of one launch: the socket, argfile copies, prepared classes. */
    public static void deleteFlat(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
