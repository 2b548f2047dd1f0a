package io.jcluster.agent.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access log's writer: every queued line written whole, a full queue drops and counts, reopen by name. */
class AccessLogTest {

    private static AccessEntry entry(int n) {
        return new AccessEntry(0, "127.0.0.1", "GET", "/" + n, "HTTP/1.1", 200, n, null, null, n % 2, 1_000_000);
    }

    @Test
    void everyLineIsWrittenWholeAndInOrder() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = AccessLog.to(out, false, 64);
        for (int i = 0; i < 1000; i++) {
            log.write(entry(i));
            if (i % 50 == 0) {
                Thread.yield();
            }
        }
        log.close();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1000 - log.dropped(), lines.size());
        int last = -1;
        for (String line : lines) {
            assertTrue(AccessEntryTest.COMBINED.matcher(line).matches(), line);
            int n = Integer.parseInt(line.substring(line.indexOf("GET /") + 5, line.indexOf(" HTTP/1.1")));
            assertTrue(n > last, "in order: " + line);
            last = n;
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = AccessLog.unstarted(out, true, 4);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 10; i++) {
                log.write(entry(i)); // no writer yet: nothing takes them, and write never waits for room
            }
        });
        assertEquals(6, log.dropped());
        assertEquals(0, log.written());
        log.startWriter();
        log.close();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), "the four that fitted");
        assertEquals(4, log.written(), "what /metrics shows as jcluster_access_log_lines_total");
        assertEquals(6, log.dropped(), "what /metrics shows as jcluster_access_log_dropped_total");
        assertEquals("stdout", log.target());
        assertTrue(lines.get(0).startsWith("{\"time\":") && lines.get(0).contains("\"target\":\"/0\""), lines.get(0));
    }

    @Test
    void reopenStartsANewFileByTheSameNameAfterARename(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        AccessLog log = AccessLog.open(file.toString(), false);
        try {
            log.write(entry(1));
            log.write(entry(2));
            awaitLines(file, 2);
            Path rotated = dir.resolve("access.log.1");
            Files.move(file, rotated); // what logrotate does before its postrotate kill -USR1
            log.write(entry(3)); // still goes to the renamed file: the descriptor is the same until the reopen
            awaitLines(rotated, 3);
            log.reopen();
            awaitExists(file);
            log.write(entry(4));
            awaitLines(file, 1);
            assertEquals(3, Files.readAllLines(rotated).size());
            assertTrue(Files.readAllLines(file).get(0).contains("\"GET /4 HTTP/1.1\""));
        } finally {
            log.close();
        }
    }

    @Test
    void aFileThatCannotBeOpenedIsAnError(@TempDir Path dir) {
        try {
            AccessLog.open(dir.resolve("no/such/dir/access.log").toString(), false).close();
        } catch (IOException expected) {
            return;
        }
        throw new AssertionError("opened a file in a directory that does not exist");
    }

    private static void awaitLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.exists(file) || Files.readAllLines(file).size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " did not get " + count + " lines");
            }
            Thread.sleep(5);
        }
    }

    private static void awaitExists(Path file) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " was not created again");
            }
            Thread.sleep(5);
        }
    }
}
