package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At launch the parent removes the control directories of parents killed by SIGKILL from the shared temp directory.
 * It runs as whoever starts it, root included, so it must touch nothing else: not what a symbolic link named like
 * one points to, not another user's directory, not a directory others may write to. One JDK: plain file code.
 */
@Timeout(120)
class ControlDirectorySweepIT {

    private final List<Path> created = new ArrayList<>();

    @Test
    void theSweepAtLaunchTouchesOnlyThisUsersPrivateDirectories() throws Exception {
        assertTrue("root".equals(System.getProperty("user.name")),
                "this test gives a directory to another user (uid 65534) and needs root; it runs as "
                        + System.getProperty("user.name"));
        // a temp directory of this test's own: parents other tests launch meanwhile sweep the shared one
        Path temp = Files.createTempDirectory("jcluster-sweep-it-");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxrwxrwx"));
        created.add(temp);
        String tag = "it" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try {
            Path victim = track(Files.createTempDirectory(temp, "victim-" + tag));
            deadParentFiles(victim);
            Path link = track(Files.createSymbolicLink(temp.resolve("jcluster-control-" + tag + "-link"), victim));
            Path open = track(Files.createDirectory(temp.resolve("jcluster-control-" + tag + "-open")));
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
            deadParentFiles(open);
            Path strangers = track(privateDirectory(temp.resolve("jcluster-control-" + tag + "-strangers")));
            deadParentFiles(strangers);
            Files.setOwner(strangers, temp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534"));
            Path stale = track(privateDirectory(temp.resolve("jcluster-control-" + tag + "-stale")));
            deadParentFiles(stale);

            int port = FreePorts.tcp();
            try (ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17()).agentArgs("processes=1")
                    .jvmFlags("-Djava.io.tmpdir=" + temp).mainClass("samples.hello.HelloServer")
                    .args(Integer.toString(port)).start()) {
                cluster.awaitWorkers(1, STARTUP);
                cluster.awaitAnswering(port, 1, STARTUP);
            }
            assertFalse(Files.exists(stale, LinkOption.NOFOLLOW_LINKS), "a dead parent's directory is swept");
            assertTrue(Files.isSymbolicLink(link), "the link stays");
            assertTrue(Files.exists(victim.resolve("java.net.ServerSocket.class")), "nothing behind the link is deleted");
            assertTrue(Files.exists(open.resolve("java.net.ServerSocket.class")), "a 0755 directory is left alone");
            assertTrue(Files.exists(strangers.resolve("java.net.ServerSocket.class")),
                    "another user's directory is left alone");
        } finally {
            for (Path path : created) {
                deleteTree(path);
            }
        }
    }

    private Path track(Path path) {
        created.add(path);
        return path;
    }

    private static Path privateDirectory(Path path) throws IOException {
        return Files.createDirectory(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    /** What a parent killed by SIGKILL leaves: a socket nobody listens on, and the workers' prepared classes. */
    private static void deadParentFiles(Path directory) throws IOException {
        Path socket = directory.resolve("control.sock");
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket));
        }
        // older than a launch between bind and listen can be
        Files.setLastModifiedTime(socket, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        Files.write(directory.resolve("java.net.ServerSocket.class"), new byte[] {1, 2, 3});
    }

    /** Deletes what this test made; a link is deleted, never followed. */
    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> children = Files.list(path)) {
                for (Path child : children.sorted(Comparator.reverseOrder()).toList()) {
                    deleteTree(child);
                }
            }
        }
        Files.delete(path);
    }
}
