package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * access-log= on a real cluster (http mode, 2 workers, one JDK: the log is the parent's and the same on every JDK):
 * 1,000 requests from 4 keep-alive connections give 1,000 complete lines that parse, each naming the worker whose
 * pid answered; after logrotate's move, SIGUSR1 makes the parent write to a new file by the same name. The parent's
 * stderr is a pipe here, so log-time=auto stamps its lines. With log-format=json every line of the parent's output
 * (its own, the workers', the access log's) is one JSON object.
 */
@Timeout(180)
class AccessLogIT {

    /** The combined log format, then worker= and duration= (docs/operations.md, the access log). */
    private static final Pattern LINE = Pattern.compile("^127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d"
            + " \\+0000] \"GET (\\S+) HTTP/1\\.1\" (\\d{3}) (\\d+) \"-\" \"jcluster-it\" worker=(\\d+) duration=\\d+\\.\\d{3}$");
    private static final int REQUESTS = 1000;
    private static final int CONNECTIONS = 4;

    @Test
    void everyRequestGetsOneCompleteLineAndSigusr1ReopensTheFile(@TempDir Path dir) throws Exception {
        int port = FreePorts.tcp();
        Path file = dir.resolve("access.log");
        try (ClusterProcess cluster = ClusterProcess.web(Jdk.temurin25(), port,
                "processes=2,mode=http,strategy=round-robin,access-log=" + file)) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);

            Map<String, Long> answeredBy = new ConcurrentHashMap<>();
            ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CONNECTIONS; c++) {
                    int first = c;
                    done.add(clients.submit(() -> {
                        try (Http.KeepAlive connection = Http.keepAlive(port)) {
                            for (int i = first; i < REQUESTS; i += CONNECTIONS) {
                                Http.Response response = connection.get("/n/" + i);
                                assertEquals(200, response.status(), response.toString());
                                answeredBy.put("/n/" + i, response.pid());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get(60, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }

            List<String> lines = awaitLines(file, "/n/", REQUESTS);
            Map<Long, Integer> workerOfPid = new HashMap<>();
            workers.forEach((id, pid) -> workerOfPid.put(pid, id));
            Set<String> targets = new TreeSet<>();
            for (String line : lines) {
                Matcher fields = LINE.matcher(line);
                assertTrue(fields.matches(), "a complete, parseable line: " + line);
                String target = fields.group(1);
                if (!target.startsWith("/n/")) {
                    continue; // awaitAnswering's own requests
                }
                assertTrue(targets.add(target), "one line per request: " + target);
                assertEquals("200", fields.group(2), line);
                long pid = answeredBy.get(target);
                assertEquals(("pid " + pid + "\n").length(), Integer.parseInt(fields.group(3)), "body bytes: " + line);
                assertEquals(workerOfPid.get(pid), Integer.parseInt(fields.group(4)), "the worker that answered: " + line);
            }
            assertEquals(REQUESTS, targets.size());
            assertTrue(cluster.timedLines() > 0, "log-time=auto stamps parent lines when stderr is a pipe");

            // logrotate: move the file, then kill -USR1 the parent
            Path rotated = dir.resolve("access.log.1");
            Files.move(file, rotated);
            Signals.send("USR1", cluster.pid());
            cluster.awaitLine(line -> line.equals("[jcluster] access log reopened: " + file), "the reopen line",
                    STARTUP);
            try (Http.KeepAlive connection = Http.keepAlive(port)) {
                for (int i = 0; i < 10; i++) {
                    assertEquals(200, connection.get("/after/" + i).status());
                }
            }
            List<String> reopened = awaitLines(file, "/after/", 10);
            assertEquals(10, reopened.size(), String.join("\n", reopened));
            reopened.forEach(line -> assertTrue(LINE.matcher(line).matches(), line));
            assertFalse(Files.readString(rotated).contains("/after/"), "the moved file gets no more lines");
        }
    }

    /** A flat JSON object: string, number or null values, strings with their escapes. */
    private static final Pattern FLAT_JSON = Pattern.compile(
            "^\\{\"[a-z_]+\":(?:null|-?\\d+(?:\\.\\d+)?|\"(?:[^\"\\\\\\x00-\\x1f]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-f]{4})*\")"
                    + "(?:,\"[a-z_]+\":(?:null|-?\\d+(?:\\.\\d+)?|\"(?:[^\"\\\\\\x00-\\x1f]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-f]{4})*\"))*}$");

    /**
     * log-format=json with access-log=stdout: every line the parent writes, on stdout and stderr, is one JSON object:
     * its own lines, the workers' relayed lines, the access log's.
     */
    @Test
    void jsonFormatMakesEveryLineOneObject() throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(Jdk.temurin25(), port,
                "processes=2,mode=http,log-format=json,access-log=stdout")) {
            cluster.awaitAnswering(port, 2, STARTUP);
            try (Http.KeepAlive connection = Http.keepAlive(port)) {
                for (int i = 0; i < 20; i++) {
                    assertEquals(200, connection.get("/j/" + i).status());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cluster.stdout().stream().filter(line -> line.contains("\"target\":\"/j/")).count() < 20
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<String> lines = cluster.output();
            for (String line : lines) {
                assertTrue(FLAT_JSON.matcher(line).matches(), "one JSON object: " + line);
            }
            assertTrue(lines.stream().anyMatch(line -> line.contains("\"source\":\"parent\"")
                    && line.contains("\"message\":\"listening on 0.0.0.0:" + port + " -> 2 workers")), "parent lines");
            assertTrue(lines.stream().anyMatch(line -> line.matches(".*\"source\":\"worker\",\"worker\":[01],"
                    + "\"pid\":\\d+,\"stream\":\"std(out|err)\",\"message\":\".*")), "relayed worker lines");
            List<String> access = cluster.stdout().stream().filter(line -> line.contains("\"target\":\"/j/")).toList();
            assertEquals(20, access.size(), String.join("\n", access));
            access.forEach(line -> assertTrue(line.matches(".*\"source\":\"access\",\"client\":\"127\\.0\\.0\\.1\","
                    + "\"method\":\"GET\",\"target\":\"/j/\\d+\",\"protocol\":\"HTTP/1\\.1\",\"status\":200,.*"
                    + "\"user_agent\":\"jcluster-it\",\"worker\":[01],\"duration_ms\":\\d+\\.\\d{3}}$"), line));
        }
    }

    /** The file's lines once {@code count} of them name a target starting with {@code prefix} (10 s at most). */
    private static List<String> awaitLines(Path file, String prefix, int count) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            long matching = lines.stream().filter(line -> line.contains("\"GET " + prefix)).count();
            if (matching >= count || System.nanoTime() > deadline) {
                Thread.sleep(200); // a batch written while it was read may have shown part of its last line
                return Files.exists(file) ? Files.readAllLines(file) : List.of();
            }
            Thread.sleep(50);
        }
    }
}
