package io.jcluster.agent.supervisor;

import io.jcluster.agent.log.Log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Finds files that two workers append to: an app that names its log file without the worker's id makes every worker
 * write (and, with a rolling appender, rotate) the same file, which loses and mixes lines. Read from Linux's /proc:
 * each worker's open files ({@code /proc/PID/fd}, links to their paths) and their open flags
 * ({@code /proc/PID/fdinfo/N}, {@code flags:} in octal; O_APPEND is 02000). The standard streams (0-2) are left out:
 * with log=inherit every worker shares the parent's, by design. Two processes of the same worker id (the old and new
 * one during a rolling reload) sharing a file is expected, so only different ids count. Each file is named once.
 */
public final class SharedLogFiles {

    /** O_APPEND in octal, as fdinfo writes the flags (asm-generic/fcntl.h). */
    private static final int O_APPEND = 02000;
    /** At most this many descriptors are looked at per worker and check: a worker with a huge table costs no more. */
    private static final int MAX_FDS = 10_000;
    /** At most this many files are remembered as named already. */
    private static final int MAX_NAMED = 1000;

    private final Path proc;
    private final Consumer<String> warn;
    @GuardedBy("this")
    private final Set<String> named = new HashSet<>();

    SharedLogFiles(Path proc, Consumer<String> warn) {
        this.proc = proc;
        this.warn = warn;
    }

    /**
     * Checks every 30 s, the first time 10 s from now (apps open their log files at start), on a daemon thread; on a
     * system without /proc, does nothing.
     *
     * @param workers each live worker process: its id and pid
     */
    public static void start(Supplier<List<Map.Entry<Integer, Long>>> workers) {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc.resolve("self/fdinfo"))) {
            return;
        }
        SharedLogFiles check = new SharedLogFiles(proc, Log::info);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named("jcluster-shared-log-files"));
        timer.scheduleWithFixedDelay(() -> {
            try {
                check.check(workers.get());
            } catch (RuntimeException e) {
                // a worker that exits mid-read, a /proc that refuses: the next check tries again
            }
        }, 10, 30, TimeUnit.SECONDS);
    }

    /** Warns about each file (not warned about before) that two or more worker ids append to. */
    synchronized void check(List<Map.Entry<Integer, Long>> workers) {
        Map<String, Set<Integer>> writers = new TreeMap<>();
        for (Map.Entry<Integer, Long> worker : workers) {
            for (String path : appendedFiles(worker.getValue())) {
                writers.computeIfAbsent(path, p -> new TreeSet<>()).add(worker.getKey());
            }
        }
        writers.forEach((path, ids) -> {
            if (ids.size() > 1 && named.size() < MAX_NAMED && named.add(path)) {
                List<String> names = new ArrayList<>();
                ids.forEach(id -> names.add(String.valueOf(id)));
                warn.accept("workers " + String.join(", ", names) + " all append to " + path + ": their lines mix"
                        + " and each one's logger rotates the file on its own, losing lines; give each worker a file"
                        + " of its own with ${jcluster.worker.id} in its name (see docs/operations.md, the app's own"
                        + " log files)");
            }
        });
    }

    /** The regular files {@code pid} holds open for append, by path; empty when its /proc cannot be read. */
    List<String> appendedFiles(long pid) {
        List<String> files = new ArrayList<>();
        Path fds = proc.resolve(Long.toString(pid)).resolve("fd");
        Path infos = proc.resolve(Long.toString(pid)).resolve("fdinfo");
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                if (++seen > MAX_FDS) {
                    break;
                }
                String name = fd.getFileName().toString();
                if (name.equals("0") || name.equals("1") || name.equals("2")) {
                    continue;
                }
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue; // closed meanwhile
                }
                if (!target.startsWith("/") || target.startsWith("/dev/") || target.startsWith("/proc/")
                        || target.endsWith(" (deleted)")) {
                    continue; // sockets, pipes, devices, files already removed
                }
                if (appending(infos.resolve(name))) {
                    files.add(target);
                }
            }
        } catch (IOException | SecurityException e) {
            return List.of(); // the worker is gone, or its /proc is not ours to read
        }
        return files;
    }

    private static boolean appending(Path fdinfo) {
        try {
            for (String line : Files.readAllLines(fdinfo)) {
                if (line.startsWith("flags:")) {
                    return (Integer.parseInt(line.substring("flags:".length()).trim(), 8) & O_APPEND) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // closed meanwhile, or a format this code does not know: not counted
        }
        return false;
    }
}
