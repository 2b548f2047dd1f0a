package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two workers appending to one file are named once, from a /proc tree laid out as Linux lays it out (fd links and
 * fdinfo flags in octal); the real /proc of this JVM is read too.
 */
class SharedLogFilesTest {

    /** O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC as fdinfo shows a file a logger opened for append. */
    private static final String APPEND = "02102001";
    /** O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC: written, not appended to. */
    private static final String TRUNCATE = "02001101";

    @TempDir
    Path proc;

    private void open(long pid, int fd, String target, String flags) throws IOException {
        Path fds = Files.createDirectories(proc.resolve(pid + "/fd"));
        Path infos = Files.createDirectories(proc.resolve(pid + "/fdinfo"));
        Files.createSymbolicLink(fds.resolve(Integer.toString(fd)), Path.of(target));
        Files.writeString(infos.resolve(Integer.toString(fd)), "pos:\t0\nflags:\t" + flags + "\nmnt_id:\t25\n");
    }

    @Test
    void aFileTwoWorkersAppendToIsNamedOnce() throws IOException {
        open(101, 5, "/var/log/app/app.log", APPEND);
        open(101, 6, "/var/log/app/app-0.log", APPEND);
        open(202, 5, "/var/log/app/app.log", APPEND);
        open(202, 6, "/var/log/app/app-1.log", APPEND);
        List<String> warnings = new ArrayList<>();
        SharedLogFiles check = new SharedLogFiles(proc, warnings::add);
        List<Map.Entry<Integer, Long>> workers = List.of(Map.entry(0, 101L), Map.entry(1, 202L));
        check.check(workers);
        check.check(workers);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("workers 0, 1 all append to /var/log/app/app.log: "), warnings.get(0));
        assertTrue(warnings.get(0).contains("${jcluster.worker.id}"), warnings.get(0));
    }

    @Test
    void notAppendedTheStandardStreamsAndOneWorkersOldAndNewProcessAreNotNamed() throws IOException {
        open(101, 7, "/data/db.bin", TRUNCATE);
        open(202, 7, "/data/db.bin", TRUNCATE);
        open(101, 1, "/var/log/out.log", APPEND); // log=inherit: the parent's stdout, shared by design
        open(202, 1, "/var/log/out.log", APPEND);
        open(101, 8, "/var/log/w0.log", APPEND); // worker 0 and its replacement during a reload
        open(303, 8, "/var/log/w0.log", APPEND);
        open(101, 9, "/dev/null", APPEND);
        open(202, 9, "/dev/null", APPEND);
        List<String> warnings = new ArrayList<>();
        new SharedLogFiles(proc, warnings::add).check(List.of(Map.entry(0, 101L), Map.entry(1, 202L),
                Map.entry(0, 303L), Map.entry(2, 404L))); // 404: gone, no /proc entry
        assertEquals(List.of(), warnings);
    }

    @Test
    void readsThisJvmsOwnFilesFromTheRealProc(@TempDir Path dir) throws IOException {
        Path real = Path.of("/proc");
        if (!Files.isDirectory(real.resolve("self/fdinfo"))) {
            System.err.println("SKIPPED: no /proc/self/fdinfo on this system");
            return;
        }
        Path file = dir.resolve("appended.log");
        try (var out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
             var other = Files.newOutputStream(dir.resolve("written.log"), java.nio.file.StandardOpenOption.CREATE)) {
            List<String> appended = new SharedLogFiles(real, line -> { }).appendedFiles(ProcessHandle.current().pid());
            assertTrue(appended.contains(file.toRealPath().toString()), appended.toString());
            assertTrue(appended.stream().noneMatch(path -> path.endsWith("written.log")), appended.toString());
        }
    }

    /**
     * Two real processes (as two workers: other processes of this user, not this JVM) that opened one file for append
     * are named from the real /proc: their descriptors as the kernel shows them, read as the parent reads a worker's.
     */
    @Test
    void twoRealProcessesAppendingToOneFileAreNamed(@TempDir Path dir) throws Exception {
        Path real = Path.of("/proc");
        if (!Files.isDirectory(real.resolve("self/fdinfo"))) {
            System.err.println("SKIPPED: no /proc/self/fdinfo on this system");
            return;
        }
        Path shared = dir.resolve("app.log").toAbsolutePath();
        List<Process> workers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                // fd 3 opened with >> (O_APPEND), then the shell becomes sleep, which keeps it: one pid throughout
                Process worker = new ProcessBuilder("sh", "-c", "exec 3>>\"$0\"; echo open; exec sleep 30",
                        shared.toString()).redirectErrorStream(true).start();
                workers.add(worker);
                byte[] open = worker.getInputStream().readNBytes(5);
                assertEquals("open\n", new String(open, java.nio.charset.StandardCharsets.US_ASCII));
            }
            List<String> warnings = new ArrayList<>();
            new SharedLogFiles(real, warnings::add).check(List.of(Map.entry(0, workers.get(0).pid()),
                    Map.entry(1, workers.get(1).pid())));
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("workers 0, 1 all append to " + shared.toRealPath() + ": "),
                    warnings.get(0));
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
    }
}
