package io.jcluster.agent.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parent's control directory made before its restart and named to the restarted image through the environment:
 * the restarted image opens its socket there only if the directory is still private and this user's.
 */
class AdoptedDirectoryTest {

    @Test
    void aDirectoryMadeBeforeTheRestartIsOpenedWithWhatItHolds() throws IOException {
        Path directory = ControlDirectory.newDirectory();
        try {
            Path prepared = Files.write(directory.resolve("sun.launcher.LauncherHelper.class"), new byte[] {1});
            try (ControlServer control = ControlServer.adopt(directory)) {
                assertEquals(directory, control.directory());
                assertTrue(Files.exists(directory.resolve("control.sock"), LinkOption.NOFOLLOW_LINKS));
                assertTrue(Files.exists(prepared));
            }
            assertFalse(Files.exists(directory), "deleted at close with everything the parent put there");
        } finally {
            ControlDirectory.deleteFlat(directory);
        }
    }

    @Test
    void aDirectoryOthersCanEnterIsRefused(@TempDir Path temp) throws IOException {
        Path open = Files.createDirectory(temp.resolve("jcluster-control-open"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertRefused(open);
        Path groupWritable = Files.createDirectory(temp.resolve("jcluster-control-group"));
        Files.setPosixFilePermissions(groupWritable, PosixFilePermissions.fromString("rwxrwx---"));
        assertRefused(groupWritable);
    }

    @Test
    void aSymbolicLinkIsRefused(@TempDir Path temp) throws IOException {
        Path real = privateDirectory(temp, "jcluster-control-real");
        Path link = Files.createSymbolicLink(temp.resolve("jcluster-control-link"), real);
        assertRefused(link);
        assertFalse(Files.exists(real.resolve("control.sock"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void anotherUsersDirectoryOrAnotherNameIsRefused(@TempDir Path temp) throws IOException {
        Path mine = privateDirectory(temp, "jcluster-control-mine");
        Object me = Files.getAttribute(mine, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        IOException strangers = assertThrows(IOException.class, () -> ControlServer.adopt(mine, ((Integer) me) + 1));
        assertTrue(strangers.getMessage().contains("not a private directory of this user's"), strangers.getMessage());
        assertRefused(privateDirectory(temp, "somewhere-else"));
        assertRefused(temp.resolve("jcluster-control-missing"));
    }

    private static void assertRefused(Path directory) throws IOException {
        Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assertThrows(IOException.class, () -> ControlServer.adopt(directory, me).close(), directory.toString());
        assertFalse(Files.exists(directory.resolve("control.sock"), LinkOption.NOFOLLOW_LINKS), "no socket made");
    }

    private static Path privateDirectory(Path parent, String name) throws IOException {
        return Files.createDirectory(parent.resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
}
