package io.jcluster.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Cluster API sample app (integration-tests/apps/cluster: chat, counter, leader job, offload) launched under the
 * agent, and the clients the Cluster* ITs drive it with. These ITs run on one JDK: the API does not differ per JDK.
 */
final class ClusterApps {

    static final Jdk JDK = Jdk.jdk17();
    static final Pattern WELCOME = Pattern.compile("^welcome worker=(\\d+) pid=(\\d+)$");

    private ClusterApps() {
    }

    static Path jar() {
        return ClusterProcess.Builder.existing("jcluster.apps.dir", "apps").resolve("cluster/target/app.jar");
    }

    /** {@code java -javaagent:jcluster.jar=<agentArgs> <jvmFlags> -jar app.jar <port>}, started. */
    static ClusterProcess start(int port, String agentArgs, String... jvmFlags) throws IOException {
        return ClusterProcess.on(JDK).agentArgs(agentArgs).jvmFlags(jvmFlags)
                .launch("-jar", jar().toString(), Integer.toString(port)).start();
    }

    /** Waits for {@code count} workers started and answering /whoami; returns their pids. */
    static List<Long> awaitReady(ClusterProcess cluster, int port, int count) {
        cluster.awaitWorkers(count, ClusterProcess.STARTUP);
        return new ArrayList<>(cluster.awaitAnswering(port, "/whoami", count, ClusterProcess.STARTUP));
    }

    static HttpClient http() {
        return HttpClient.newBuilder().connectTimeout(Http.CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** One POST /count: the worker's pid and the number it got. */
    record Visit(long pid, long number) {
    }

    static Visit visit(HttpClient client, int port) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/count"))
                .timeout(Http.READ_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("POST /count on port " + port + ": " + response.statusCode() + " " + response.body());
        }
        return new Visit(Long.parseLong(response.headers().firstValue("X-Pid").orElseThrow()),
                Long.parseLong(response.body().strip()));
    }

    /**
     * {@code total} POST /count spread over {@code threads} threads and over {@code ports} (round robin); returns
     * every number handed out, by pid that handed it out. Fails on a non-200 or a number handed out twice.
     */
    static Map<Long, List<Long>> visits(List<Integer> ports, int threads, int total) throws Exception {
        Map<Long, List<Long>> byPid = new ConcurrentHashMap<>();
        Set<Long> numbers = ConcurrentHashMap.newKeySet();
        HttpClient client = http();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = thread; i < total; i += threads) {
                        Visit visit = visit(client, ports.get(i % ports.size()));
                        assertTrue(numbers.add(visit.number()), "number " + visit.number() + " handed out twice");
                        byPid.computeIfAbsent(visit.pid(), pid -> java.util.Collections.synchronizedList(new ArrayList<>()))
                                .add(visit.number());
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return byPid;
    }

    /**
     * GET /count over fresh connections until each of {@code pids} answered (every live worker: the value is the
     * cluster's, not a worker's); fails unless each said {@code expected}.
     */
    static void assertEveryWorkerCounts(ClusterProcess cluster, int port, Set<Long> pids, long expected) throws IOException {
        Map<Long, String> answers = new HashMap<>();
        long deadline = System.nanoTime() + ClusterProcess.STARTUP.toNanos();
        while (!answers.keySet().containsAll(pids)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + answers + " answered GET /count, expected " + pids + "\n" + cluster.describe());
            }
            Http.Response response = Http.fresh(port, "/count");
            answers.put(response.pid(), response.status() + " " + response.body().strip());
            ClusterProcess.sleep(5);
        }
        for (long pid : pids) {
            assertEquals("200 " + expected, answers.get(pid), "GET /count on worker pid " + pid + ": " + answers);
        }
    }

    // ---- chat ----

    /** A chat client whose socket is held by the worker {@code pid}. */
    record Member(String name, long pid, WebSocket socket, WebSocketIT.Echoes inbox) {
    }

    /**
     * Connects to ws://127.0.0.1:port/chat until the worker that greets the socket is {@code pid} (the welcome
     * message names it): a WebSocket, once upgraded, stays on the worker that accepted it in either mode.
     */
    static Member join(int port, long pid, String name, ClusterProcess cluster) throws Exception {
        HttpClient client = http();
        List<Long> greeters = new ArrayList<>();
        for (int attempt = 0; attempt < 40; attempt++) {
            WebSocketIT.Echoes inbox = new WebSocketIT.Echoes();
            WebSocket socket = client.newWebSocketBuilder().connectTimeout(Http.CONNECT_TIMEOUT)
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), inbox).get(15, TimeUnit.SECONDS);
            String welcome = inbox.next();
            Matcher matcher = WELCOME.matcher(welcome);
            assertTrue(matcher.matches(), "first message: " + welcome);
            long greeter = Long.parseLong(matcher.group(2));
            if (greeter == pid) {
                return new Member(name, pid, socket, inbox);
            }
            greeters.add(greeter);
            socket.abort();
        }
        throw new AssertionError("40 connections to port " + port + " never reached pid " + pid + ": " + greeters
                + "\n" + cluster.describe());
    }

    /**
     * Every member sends {@code perSender} messages {@code "<name> <seq> <text>"} (all at the same time); every
     * member must then receive every message of every sender, each sender's in order. Returns how long it took.
     */
    static Duration exchange(List<Member> members, int perSender) throws Exception {
        long started = System.nanoTime();
        List<CompletableFuture<WebSocket>> sent = new ArrayList<>();
        for (Member member : members) {
            CompletableFuture<WebSocket> previous = CompletableFuture.completedFuture(member.socket());
            for (int seq = 0; seq < perSender; seq++) { // the JDK client allows one send in flight: chain them
                String text = member.name() + " " + seq + " from pid " + member.pid() + " " + "x".repeat(seq % 50);
                previous = previous.thenCompose(socket -> socket.sendText(text, true));
            }
            sent.add(previous);
        }
        for (CompletableFuture<WebSocket> last : sent) {
            last.get(60, TimeUnit.SECONDS);
        }
        int total = members.size() * perSender;
        for (Member receiver : members) {
            Map<String, Integer> next = new HashMap<>();
            members.forEach(sender -> next.put(sender.name(), 0));
            for (int i = 0; i < total; i++) {
                String message = receiver.inbox().next();
                String[] parts = message.split(" ", 3);
                Integer expected = next.get(parts[0]);
                assertTrue(expected != null, receiver.name() + " got a message of no sender: " + message);
                assertEquals(expected, Integer.valueOf(parts[1]), receiver.name() + " (pid " + receiver.pid()
                        + "): " + parts[0] + "'s messages in order; got " + message + " after " + i + " of " + total);
                next.put(parts[0], expected + 1);
            }
            for (Map.Entry<String, Integer> count : next.entrySet()) {
                assertEquals(perSender, count.getValue(), receiver.name() + " got all of " + count.getKey() + "'s");
            }
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    static void leave(List<Member> members) {
        members.forEach(member -> member.socket().abort());
    }

    /** {@code "a b c"} -> {@code [a, b, c]}; for log lines. */
    static List<String> fields(String line) {
        return Arrays.asList(line.trim().split(" "));
    }
}
