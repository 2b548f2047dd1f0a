package io.jcluster.agent.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidFileTest {

    @Test
    void writtenWithThePidReadableByAllThenRemoved(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("app.pid");
        PidFile file = PidFile.write(path, 4242);
        assertEquals("4242\n", Files.readString(path));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        try (var left = Files.list(directory)) {
            assertEquals(1, left.count(), "no temporary file is left next to it");
        }
        file.remove();
        assertFalse(Files.exists(path));
    }

    @Test
    void anOldFileIsReplacedAndAFileAnotherParentWroteSinceIsKept(@TempDir Path directory) throws Exception {
        Path path = directory.resolve("app.pid");
        Files.writeString(path, "1\n");
        PidFile file = PidFile.write(path, 4242);
        assertEquals("4242\n", Files.readString(path));
        Files.writeString(path, "5555\n");
        file.remove();
        assertEquals("5555\n", Files.readString(path), "not ours any more: left alone");
    }

    @Test
    void aSymbolicLinkAtThePathIsReplacedNotWrittenThrough(@TempDir Path directory) throws Exception {
        Path victim = directory.resolve("victim");
        Files.writeString(victim, "precious");
        Path path = directory.resolve("app.pid");
        Files.createSymbolicLink(path, victim);
        PidFile.write(path, 4242);
        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(path));
        assertEquals("4242\n", Files.readString(path));
    }

    @Test
    void aDirectoryEveryUserMayWriteWithoutTheStickyBitIsRefused(@TempDir Path directory) throws Exception {
        Path open = Files.createDirectory(directory.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path path = open.resolve("app.pid");
        PidFile.RefusedException refused = assertThrows(PidFile.RefusedException.class, () -> PidFile.write(path, 1));
        assertEquals("pid-file=" + path + ": its directory " + open + " is writable by every user and has no sticky"
                + " bit, so another user could replace the file and have the pid of their choice signalled; use a"
                + " directory only this user (or root) may write, e.g. /run/<service>/", refused.getMessage());
        assertFalse(Files.exists(path));
    }

    @Test
    void aStickyDirectoryLikeTmpIsAccepted(@TempDir Path directory) throws Exception {
        Path sticky = Files.createDirectory(directory.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        assertEquals(01777, ((Integer) Files.getAttribute(sticky, "unix:mode")) & 07777, "the sticky bit was set");
        PidFile file = PidFile.write(sticky.resolve("app.pid"), 4242);
        assertTrue(Files.exists(file.path()));
        file.remove();
    }

    @Test
    void aMissingDirectoryIsNamed(@TempDir Path directory) {
        Path path = directory.resolve("missing/app.pid");
        PidFile.RefusedException refused = assertThrows(PidFile.RefusedException.class, () -> PidFile.write(path, 1));
        assertTrue(refused.getMessage().startsWith("pid-file=" + path + ": no directory "), refused.getMessage());
    }
}
