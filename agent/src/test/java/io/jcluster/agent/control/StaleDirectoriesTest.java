package io.jcluster.agent.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaleDirectoriesTest {

    @Test
    void onlyDirectoriesNobodyListensInAreSwept(@TempDir Path temp) throws IOException {
        Path dead = Files.createDirectory(temp.resolve("jcluster-control-dead"));
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(dead.resolve("control.sock")));
        } // closed: the socket file stays, nobody listens (a parent killed with SIGKILL)
        Files.write(dead.resolve("java.net.ServerSocket.class"), new byte[] {1, 2, 3});

        Path live = Files.createDirectory(temp.resolve("jcluster-control-live"));
        Path fresh = Files.createDirectory(temp.resolve("jcluster-control-starting"));
        Path abandoned = Files.createDirectory(temp.resolve("jcluster-control-abandoned"));
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        Path other = Files.createDirectory(temp.resolve("jcluster-it-agent-1")); // e.g. the tests' agent copy
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));

        try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listening.bind(UnixDomainSocketAddress.of(live.resolve("control.sock")));
            ControlServer.sweepStaleDirectories(temp);
        }
        assertFalse(Files.exists(dead), "a dead parent's directory goes");
        assertFalse(Files.exists(abandoned), "an old directory that never got a socket goes");
        assertTrue(Files.exists(live), "a live parent's directory stays");
        assertTrue(Files.exists(fresh), "a directory whose parent is just starting stays");
        assertTrue(Files.exists(other), "what is not jcluster's stays");
    }
}
