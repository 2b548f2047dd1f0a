package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standalone balancer operated at run time ({@code balance --admin ...}): GET /status, /metrics, /ready; drain a
 * backend under load with no failed request, then stop it; add a backend and see it serve; remove one. One balancer,
 * real HelloServer JVMs, the CLI as users run it. One JDK: nothing here differs per JDK.
 */
@Timeout(180)
class StandaloneOperationsIT {

    /** The load: requests on keep-alive connections, bounded in count and time. */
    private static final int LOAD_THREADS = 2;
    private static final int MAX_REQUESTS = 200_000;
    private static final Duration MAX_LOAD = Duration.ofSeconds(60);

    @Test
    void drainUnderLoadWithoutErrorsThenAddAndRemoveBackendsAtRunTime() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        int first = FreePorts.tcp();
        int second = FreePorts.tcp();
        int third = FreePorts.tcp();
        String admin = "127.0.0.1:" + adminPort;
        String token = "it-" + Long.toHexString(System.nanoTime());
        Path accessLog = Files.createTempFile("jcluster-balance-access-", ".log");
        try (ClusterProcess a = StandaloneBalancerIT.backend(first);
             ClusterProcess b = StandaloneBalancerIT.backend(second);
             ClusterProcess balancer = ClusterProcess.on(jdk).withoutAgent()
                     .launch("-jar", AgentSnapshot.path().toString(), "balance").args("--listen", "127.0.0.1:" + port,
                             "--backend", "127.0.0.1:" + first, "--backend", "127.0.0.1:" + second, "--mode", "http",
                             "--strategy", "round-robin", "--admin", admin, "--cache", "1m", "--access-log",
                             accessLog.toString())
                     .env("JCLUSTER_ADMIN_TOKEN", token).start()) {
            balancer.awaitLine("^\\[jcluster\\] admin endpoint on 127\\.0\\.0\\.1:" + adminPort + " \\(token required\\)",
                    STARTUP);
            Admin endpoint = new Admin(adminPort, token);
            assertEquals(401, new Admin(adminPort, null).get("/status").status(), "the token rules are the agent's");
            assertEquals(401, new Admin(adminPort, null).post("/backend/drain?address=127.0.0.1:" + first).status());
            assertEquals(Set.of(a.pid(), b.pid()), balancer.awaitAnswering(port, 2, STARTUP));

            // a load balancer's or kubelet's probe carries no token, as on the agent's endpoint
            Admin.Reply ready = new Admin(adminPort, null).get("/ready");
            assertEquals(200, ready.status(), ready.toString());
            assertEquals("ready: 2 of 2 backend(s) in rotation\n", ready.body());
            Admin.Reply status = endpoint.get("/status");
            assertTrue(status.body().contains("{\"address\":\"127.0.0.1:" + first + "\",\"state\":\"ready\""),
                    status.body());
            Admin.Reply metrics = endpoint.get("/metrics");
            assertTrue(metrics.body().contains("jcluster_backend_info{backend=\"127.0.0.1:" + second
                    + "\",state=\"ready\"} 1\n"), metrics.body());
            assertTrue(metrics.body().contains("jcluster_ready 1\n"), metrics.body());
            // with --cache and --access-log, the agent's cache purge and its cache and access log figures
            assertTrue(metrics.body().contains("\njcluster_cache_max_bytes 1048576\n"), metrics.body());
            assertTrue(metrics.body().contains("\njcluster_access_log_dropped_total 0\n"), metrics.body());
            Admin.Reply purge = endpoint.post("/cache/purge?prefix=/");
            assertEquals(200, purge.status(), purge.toString());
            assertEquals("purged 0 cached response(s) whose path starts with /\n", purge.body());

            try (Load load = new Load(port)) {
                load.awaitRequests(200);
                Admin.CliRun drain = Admin.cli(jdk, "backend", "drain", "127.0.0.1:" + first, "--admin", admin,
                        "--token", token);
                assertEquals(0, drain.exitStatus(), drain.toString());
                assertTrue(drain.stdout().startsWith("drained 127.0.0.1:" + first + ": no connection open"),
                        drain.toString());
                // drained: nothing goes there any more, so stopping it costs no request
                Signals.term(a.pid());
                a.awaitExit(Duration.ofSeconds(30));
                load.answeredBy.clear();
                int before = load.requests.get();
                load.awaitRequests(before + 500);
                assertEquals(Set.of(b.pid()), Set.copyOf(load.answeredBy), "after the drain only the other backend"
                        + " serves");
                assertTrue(endpoint.get("/status").body().contains("{\"address\":\"127.0.0.1:" + first
                        + "\",\"state\":\"draining\",\"openConnections\":0"), endpoint.get("/status").body());

                try (ClusterProcess c = StandaloneBalancerIT.backend(third)) {
                    Admin.CliRun add = Admin.cli(jdk, "backend", "add", "127.0.0.1:" + third, "--admin", admin,
                            "--token", token);
                    assertEquals(0, add.exitStatus(), add.toString());
                    assertEquals("added 127.0.0.1:" + third + "; in rotation\n", add.stdout());
                    load.answeredBy.clear();
                    balancer.await(() -> load.answeredBy.contains(c.pid()), "the added backend serving",
                            Duration.ofSeconds(10));

                    Admin.CliRun remove = Admin.cli(jdk, "backend", "remove", "127.0.0.1:" + second, "--admin",
                            admin, "--token", token);
                    assertEquals(0, remove.exitStatus(), remove.toString());
                    load.answeredBy.clear();
                    before = load.requests.get();
                    load.awaitRequests(before + 500);
                    assertEquals(Set.of(c.pid()), Set.copyOf(load.answeredBy), "after removing " + second);
                    load.stop();
                    assertEquals(List.of(), load.failures, "no request failed while draining, adding, removing");
                    assertTrue(load.requests.get() > 1000, "requests: " + load.requests.get());
                }
            }
            Admin.CliRun unknown = Admin.cli(jdk, "backend", "drain", "127.0.0.1:" + second, "--admin", admin,
                    "--token", token);
            assertEquals(1, unknown.exitStatus(), unknown.toString());
            assertTrue(unknown.stderr().contains("HTTP 404"), unknown.toString());

            String written = endpoint.get("/status").body();
            Signals.term(balancer.pid());
            assertEquals(0, balancer.awaitExit(Duration.ofSeconds(30)), balancer.describe());
            assertTrue(written.contains(",\"accessLog\":{\"target\":\"" + accessLog + "\",\"written\":"), written);
            assertTrue(Files.readAllLines(accessLog).size() > 1000, "one line per request, written by the exit");
        } finally {
            Files.deleteIfExists(accessLog);
        }
    }

    /** Keep-alive GETs from a few threads until stopped; every failure is kept. */
    private static final class Load implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        final Set<Long> answeredBy = ConcurrentHashMap.newKeySet();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final long deadline = System.nanoTime() + MAX_LOAD.toNanos();

        Load(int port) {
            for (int i = 0; i < LOAD_THREADS; i++) {
                Thread thread = new Thread(() -> run(port), "load-" + i);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
        }

        private void run(int port) {
            Http.KeepAlive connection = null;
            while (running.get() && requests.get() < MAX_REQUESTS && System.nanoTime() - deadline < 0) {
                try {
                    if (connection == null) {
                        connection = Http.keepAlive(port);
                    }
                    Http.Response response = connection.get("/");
                    if (response.status() != 200) {
                        failures.add("HTTP " + response.status() + ": " + response);
                    } else {
                        answeredBy.add(response.pid());
                    }
                    requests.incrementAndGet();
                } catch (IOException e) {
                    failures.add(e.toString());
                    try {
                        if (connection != null) {
                            connection.close();
                        }
                    } catch (IOException ignored) {
                        // closing a broken connection
                    }
                    connection = null;
                }
            }
            try {
                if (connection != null) {
                    connection.close();
                }
            } catch (IOException ignored) {
                // the test is over
            }
        }

        void awaitRequests(int count) {
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (requests.get() < count) {
                if (System.nanoTime() - until > 0 || !threads.stream().anyMatch(Thread::isAlive)) {
                    throw new AssertionError("the load did not reach " + count + " requests: " + requests.get()
                            + ", failures " + failures);
                }
                ClusterProcess.sleep(10);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(30_000);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
