package io.jcluster.agent.service;

import io.jcluster.agent.log.Log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * {@code pid-file=}: the parent's pid, for scripts and service managers that signal it ({@code kill -HUP
 * $(cat FILE)}). Written atomically (a private temporary file in the same directory, renamed over the path), so a
 * reader never sees a half-written pid; removed at exit if it still holds this pid.
 *
 * <p>Against a hostile local user: whoever can replace the file makes the next {@code kill $(cat FILE)} hit a process
 * of their choice. So the directory must not be writable by every user unless it has the sticky bit (like /tmp, where
 * only a file's owner may rename or delete it). The rename replaces a symbolic link at the path rather than writing
 * through it, and in a sticky directory the kernel refuses to replace another user's file there: the start fails
 * with a line instead.
 */
public final class PidFile {

    private static final Set<PosixFilePermission> READABLE_BY_ALL = PosixFilePermissions.fromString("rw-r--r--");
    /** S_IWOTH and S_ISVTX of st_mode. */
    private static final int OTHERS_WRITE = 0002;
    private static final int STICKY = 01000;

    private final Path path;
    private final String content;

    private PidFile(Path path, String content) {
        this.path = path;
        this.content = content;
    }

    /** Thrown when the file cannot be written; the message is the line to show. */
    public static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    /** Writes {@code pid} to {@code path} now. */
    public static PidFile write(Path path, long pid) throws RefusedException {
        Path absolute = path.toAbsolutePath().normalize();
        Path directory = absolute.getParent();
        String option = "pid-file=" + path;
        if (directory == null || !Files.isDirectory(directory)) {
            throw new RefusedException(option + ": no directory " + directory + "; create it first (in a systemd unit:"
                    + " RuntimeDirectory=)");
        }
        checkDirectory(option, directory);
        String content = pid + "\n";
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp");
            Files.writeString(temporary, content, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(temporary, READABLE_BY_ALL);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename it into place atomically", e);
            }
            temporary = null;
        } catch (IOException | UnsupportedOperationException e) {
            throw new RefusedException(option + ": cannot write it (" + Log.describe(e) + "); name a file in a"
                    + " directory this user may write");
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // a leftover .tmp file of ours, private to this user
                }
            }
        }
        return new PidFile(absolute, content);
    }

    /**
     * A directory every user may write without the sticky bit lets any of them replace the file. Where the file
     * system cannot say (no unix attributes), a directory writable by others is refused.
     */
    static void checkDirectory(String option, Path directory) throws RefusedException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(directory, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            mode = -1;
        }
        boolean othersWrite;
        boolean sticky;
        if (mode >= 0) {
            othersWrite = (mode & OTHERS_WRITE) != 0;
            sticky = (mode & STICKY) != 0;
        } else {
            try {
                othersWrite = Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS)
                        .contains(PosixFilePermission.OTHERS_WRITE);
            } catch (IOException | UnsupportedOperationException e) {
                othersWrite = false;
            }
            sticky = false;
        }
        if (othersWrite && !sticky) {
            throw new RefusedException(option + ": its directory " + directory + " is writable by every user and has"
                    + " no sticky bit, so another user could replace the file and have the pid of their choice"
                    + " signalled; use a directory only this user (or root) may write, e.g. /run/<service>/");
        }
    }

    public Path path() {
        return path;
    }

    /** Deletes the file if it still holds this pid (another parent may have written it since). */
    public void remove() {
        try {
            if (content.equals(Files.readString(path, StandardCharsets.US_ASCII))) {
                Files.delete(path);
            }
        } catch (IOException | RuntimeException e) {
            // gone already, or replaced by someone allowed to: nothing of ours to remove
        }
    }
}
