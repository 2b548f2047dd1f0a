package io.jcluster.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One backend of the differential smuggling test: a recording app (or the reference oracle) with its journal
 * file, reached through jcluster ({@code processes=1,mode=http}) or directly. {@link #run} sends one input on a
 * fresh connection and returns what the client read and what the backend journaled meanwhile.
 *
 * <p>Journal windows are cut by fences: after each input a fresh connection sends {@code GET /fence/N}; the
 * lines before that request's record belong to the input. Through jcluster the fence also tells whether the
 * input left the worker connection in the pool out of step (the balancer has one event loop here, so the fence
 * gets the connection the input used last, most recently used first): then the fence is not answered with its
 * own record, and more fences are sent until one is (each failure makes jcluster drop that connection); if none
 * is within a few tries, the backend is restarted.
 */
final class DesyncTarget implements AutoCloseable {

    /** Reading stops when nothing came for this long (the input's terminator normally closes the connection first). */
    static final Duration IDLE = Duration.ofMillis(400);
    /** A confirming re-run waits this long instead. */
    static final Duration PATIENT = Duration.ofMillis(2500);
    private static final Duration MAX_READ = Duration.ofSeconds(6);
    private static final int FENCE_TRIES = 6;

    /** What one input produced. */
    record Observation(List<RawResponses.Response> responses, String garbage, List<String> journal,
                       int fencesFailed, boolean restarted) {
        List<String> records() {
            return journal.stream().filter(line -> line.startsWith("REC ")).toList();
        }

        List<String> findings() {
            return journal.stream().filter(line -> !line.startsWith("REC ")).toList();
        }
    }

    final String name;
    final boolean viaJcluster;
    private final Supplier<ClusterProcess.Builder> launcher;
    private final Path journalFile;
    private final List<String> pending = new ArrayList<>();
    private ClusterProcess process;
    private int port;
    private long journalOffset;
    private int fences;
    int restarts;

    /**
     * @param launcher a builder with everything but the port: {@code port -> builder}
     */
    DesyncTarget(String name, boolean viaJcluster, java.util.function.IntFunction<ClusterProcess.Builder> launcher,
                 Path dir) throws IOException {
        this.name = name;
        this.viaJcluster = viaJcluster;
        this.journalFile = dir.resolve(name.replaceAll("[^A-Za-z0-9-]", "_") + (viaJcluster ? "-via-jcluster" : "-direct") + ".journal");
        Files.deleteIfExists(journalFile);
        Files.createFile(journalFile);
        this.launcher = () -> {
            port = FreePorts.tcp();
            return launcher.apply(port).jvmFlags("-D" + samples.recording.RequestJournal.PROPERTY + "=" + journalFile,
                    "-XX:ActiveProcessorCount=1");
        };
    }

    DesyncTarget start() throws IOException {
        process = launcher.get().start();
        return this;
    }

    /** Waits until the backend answers a fence. */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (fence(Duration.ofSeconds(3))) {
                    takeJournal();
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not answer within " + timeout + "\n" + process.describe());
            }
            ClusterProcess.sleep(200);
        }
    }

    String describe() {
        return name + (viaJcluster ? " via jcluster" : " direct");
    }

    /** Sends the input on a fresh connection, reads until the server closes or falls silent, then fences. */
    Observation run(byte[] wire, Duration idle) throws IOException {
        byte[] read = exchange(wire, idle);
        RawResponses.Parsed parsed = RawResponses.parse(read);
        int failed = 0;
        boolean restarted = false;
        while (true) {
            boolean ok;
            try {
                ok = fence(idle.multipliedBy(4));
            } catch (IOException e) {
                ok = false;
            }
            if (ok) {
                break;
            }
            if (++failed == FENCE_TRIES) {
                List<String> journal = takeJournal();
                restart();
                return new Observation(parsed.responses(), parsed.garbage(), journal, failed, true);
            }
        }
        return new Observation(parsed.responses(), parsed.garbage(), takeJournal(), failed, restarted);
    }

    private void restart() throws IOException {
        restarts++;
        process.close();
        start();
        awaitReady(ClusterProcess.STARTUP);
    }

    private byte[] exchange(byte[] wire, Duration idle) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 3000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) idle.toMillis());
            try {
                socket.getOutputStream().write(wire);
                socket.getOutputStream().flush();
            } catch (IOException reset) {
                // the server answered and closed before taking it all: read what it said
            }
            InputStream in = socket.getInputStream();
            long deadline = System.nanoTime() + MAX_READ.toNanos();
            byte[] buffer = new byte[8192];
            while (System.nanoTime() < deadline) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException quiet) {
                    break;
                } catch (IOException reset) {
                    break;
                }
                if (n < 0) {
                    break;
                }
                read.write(buffer, 0, n);
            }
        }
        return read.toByteArray();
    }

    /** One fence request; true when it was answered with its own record (then the journal holds that record). */
    private boolean fence(Duration idle) throws IOException {
        String target = "/fence/" + (++fences);
        byte[] read = exchange(("GET " + target + " HTTP/1.1\r\nHost: fence\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1), idle);
        RawResponses.Parsed parsed = RawResponses.parse(read);
        return parsed.responses().size() == 1 && parsed.garbage().isEmpty()
                && parsed.responses().get(0).record() != null
                && parsed.responses().get(0).record().startsWith("REC m=GET t=" + target + " ");
    }

    /** The journal lines since the last call, up to the last fence record (which is left out). */
    private List<String> takeJournal() throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(journalFile.toFile(), "r")) {
            file.seek(journalOffset);
            byte[] bytes = new byte[(int) (file.length() - journalOffset)];
            file.readFully(bytes);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int complete = text.lastIndexOf('\n') + 1;
            journalOffset += complete;
            for (String line : text.substring(0, complete).split("\n")) {
                if (!line.isEmpty()) {
                    pending.add(line);
                }
            }
        }
        int lastFence = -1;
        for (int i = 0; i < pending.size(); i++) {
            if (pending.get(i).startsWith("REC m=GET t=/fence/")) {
                lastFence = i;
            }
        }
        List<String> window = new ArrayList<>();
        for (int i = 0; i <= lastFence; i++) {
            String line = pending.get(i);
            if (!line.startsWith("REC m=GET t=/fence/" + fences + " ")) {
                window.add(line);
            }
        }
        pending.subList(0, lastFence + 1).clear();
        return window;
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
