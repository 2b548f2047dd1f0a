package io.jcluster.agent.control;

import io.jcluster.agent.config.OptionReread;
import io.jcluster.bootstrap.ClientAddressTable;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The parent's private directory for one launch (its control socket, the classes it prepared, the workers' copy of
 * the options): made, checked when handed over a restart, deleted, and swept when a parent killed by SIGKILL left
 * it behind.
 */
public final class ControlDirectory {

    static final String SOCKET = "control.sock";
    private static final String DIRECTORY_PREFIX = "jcluster-control-";
    /** A directory without a socket this old is no launch in progress. */
    private static final long ABANDONED_AFTER_MILLIS = 10 * 60 * 1000;
    /** A socket younger than this may belong to a parent between bind and listen: never swept. */
    private static final long STARTING_FOR_MILLIS = 60 * 1000;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private ControlDirectory() {
    }

    /**
     * A new private directory (mode 0700, in the temp directory) for one launch, stale ones of other launches swept.
     * The parent makes it before its restart (the classes it prepares go there) or in {@link ControlServer#open}.
     */
    public static Path newDirectory() throws IOException {
        Path directory = Files.createTempDirectory(DIRECTORY_PREFIX,
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        sweepStaleDirectories(directory.getParent(), Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS));
        return directory;
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
