package io.jcluster.agent.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class StaleDirectoriesTest {

    @Test
    void onlyDirectoriesNobodyListensInAreSwept(@TempDir Path temp) throws IOException {
        Path dead = deadParentDirectory(temp, "jcluster-control-dead");
        Files.write(dead.resolve("java.net.ServerSocket.class"), new byte[] {1, 2, 3});
        Files.write(dead.resolve("argfile-3"), new byte[] {1});
        Files.write(dead.resolve("options.properties"), new byte[] {1});
        Files.write(dead.resolve("client-addresses"), new byte[] {1});

        Path live = privateDirectory(temp, "jcluster-control-live");
        Path fresh = privateDirectory(temp, "jcluster-control-starting");
        Path abandoned = privateDirectory(temp, "jcluster-control-abandoned");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        Path other = privateDirectory(temp, "jcluster-it-agent-1"); // e.g. the tests' agent copy
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));

        try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listening.bind(UnixDomainSocketAddress.of(live.resolve("control.sock")));
            ControlDirectory.sweepStaleDirectories(temp, me(temp));
        }
        assertFalse(Files.exists(dead), "a dead parent's directory goes");
        assertFalse(Files.exists(abandoned), "an old directory that never got a socket goes");
        assertTrue(Files.exists(live), "a live parent's directory stays");
        assertTrue(Files.exists(fresh), "a directory whose parent is just starting stays");
        assertTrue(Files.exists(other), "what is not jcluster's stays");
    }

    @Test
    void aSymbolicLinkIsNeverFollowed(@TempDir Path temp) throws IOException {
        // a victim's directory that looks exactly like a dead parent's, reached through a link in the shared temp
        Path victim = deadParentDirectory(Files.createDirectory(temp.resolve("elsewhere")), "victim");
        Path precious = Files.write(victim.resolve("Precious.class"), new byte[] {1});
        Files.createSymbolicLink(temp.resolve("jcluster-control-x"), victim);
        // and a dead parent's directory whose files are links to the victim's
        Path dead = deadParentDirectory(temp, "jcluster-control-dead");
        Path target = Files.write(temp.resolve("elsewhere").resolve("argfile-1"), new byte[] {1});
        Files.createSymbolicLink(dead.resolve("argfile-1"), target);

        ControlDirectory.sweepStaleDirectories(temp, me(temp));

        assertTrue(Files.exists(precious), "nothing behind a linked directory is deleted");
        assertTrue(Files.exists(victim.resolve("control.sock"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(temp.resolve("jcluster-control-x")), "the link itself stays too");
        assertTrue(Files.exists(target), "a link in a swept directory is not followed");
    }

    @Test
    void onlyPrivateDirectoriesOfThisUserAreTouched(@TempDir Path temp) throws IOException {
        Path open = deadParentDirectory(temp, "jcluster-control-open");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path strangers = deadParentDirectory(temp, "jcluster-control-strangers");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Files.setOwner(strangers, temp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534"));
        }
        ControlDirectory.sweepStaleDirectories(temp, me(temp));

        assertTrue(Files.exists(open.resolve("control.sock"), LinkOption.NOFOLLOW_LINKS), "mode 0755: left alone");
        assumeTrue(root, "needs root to give a directory to another user");
        assertTrue(Files.exists(strangers.resolve("control.sock"), LinkOption.NOFOLLOW_LINKS),
                "another user's directory: left alone, even by root");
    }

    @Test
    void onlyWhatAParentCreatesIsDeleted(@TempDir Path temp) throws IOException {
        Path dead = deadParentDirectory(temp, "jcluster-control-mixed");
        Files.write(dead.resolve("java.net.ServerSocket.class"), new byte[] {1});
        Path notes = Files.write(dead.resolve("notes.txt"), new byte[] {1});
        Path nested = Files.createDirectory(dead.resolve("nested"));
        Path deep = Files.write(nested.resolve("Deep.class"), new byte[] {1});

        ControlDirectory.sweepStaleDirectories(temp, me(temp));

        assertFalse(Files.exists(dead.resolve("java.net.ServerSocket.class")), "a prepared class goes");
        assertFalse(Files.exists(dead.resolve("control.sock"), LinkOption.NOFOLLOW_LINKS), "the dead socket goes");
        assertTrue(Files.exists(notes), "a file jcluster never writes stays, and so does its directory");
        assertTrue(Files.exists(deep), "no recursion into subdirectories");
    }

    @Test
    void theNamesAParentWrites() {
        assertTrue(ControlDirectory.isOurs("control.sock"));
        assertTrue(ControlDirectory.isOurs("argfile-12"));
        assertTrue(ControlDirectory.isOurs("sun.nio.ch.ServerSocketChannelImpl.class"));
        assertTrue(ControlDirectory.isOurs("client-addresses"));
        assertTrue(ControlDirectory.isOurs("options.properties"));
        assertTrue(ControlDirectory.isOurs("options.properties.new"));
        assertTrue(ControlDirectory.isOurs("sun.launcher.LauncherHelper.class"));
        assertFalse(ControlDirectory.isOurs("argfile-"));
        assertFalse(ControlDirectory.isOurs("id_rsa"));
        assertFalse(ControlDirectory.isOurs("a b.class"));
    }

    @Test
    void aYoungSocketThatRefusesIsAParentStartingNotADeadOne(@TempDir Path temp) throws IOException {
        // the JDK binds a unix socket, then listens: a sweep from another launch in between is refused, and the
        // directory (with the prepared classes and the client address table to come) must survive it
        Path starting = privateDirectory(temp, "jcluster-control-starting");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(starting.resolve("control.sock")));
        }
        ControlDirectory.sweepStaleDirectories(temp, me(temp));
        assertTrue(Files.exists(starting.resolve("control.sock"), LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * A directory as a parent killed by SIGKILL leaves it: mode 0700, its socket file there (made a while ago),
     * nobody listening.
     */
    private static Path deadParentDirectory(Path parent, String name) throws IOException {
        Path directory = privateDirectory(parent, name);
        Path socket = directory.resolve("control.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket));
        }
        Files.setLastModifiedTime(socket, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        return directory;
    }

    private static Path privateDirectory(Path parent, String name) throws IOException {
        return Files.createDirectory(parent.resolve(name),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private static UserPrincipal me(Path temp) throws IOException {
        return Files.getOwner(temp);
    }
}
