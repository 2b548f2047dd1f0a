package io.jcluster.agent.admin;

import io.jcluster.agent.admin.BalancerOperations.Outcome;
import io.jcluster.agent.admin.BalancerOperations.Outcome.Kind;
import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.LatencyHistogram;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standalone balancer's endpoints ({@link BalancerAdmin}) over a fake balancer. */
class BalancerAdminTest {

    private final List<String> calls = new ArrayList<>();
    private Outcome next = Outcome.of(Kind.DONE, "done");
    private BalancerStatus status = status(false, "ready", "draining");

    private final BalancerOperations operations = new BalancerOperations() {
        @Override
        public BalancerStatus status() {
            return status;
        }

        @Override
        public CompletableFuture<Outcome> drain(String backend) {
            return call("drain " + backend);
        }

        @Override
        public CompletableFuture<Outcome> ready(String backend) {
            return call("ready " + backend);
        }

        @Override
        public CompletableFuture<Outcome> add(String backend) {
            return call("add " + backend);
        }

        @Override
        public CompletableFuture<Outcome> remove(String backend) {
            return call("remove " + backend);
        }

        @Override
        public int purgeCache(String path, boolean prefix) {
            if (status.cache() == null) {
                return -1;
            }
            calls.add((prefix ? "purge prefix " : "purge path ") + path);
            return 3;
        }
    };
    private final BalancerAdmin admin = new BalancerAdmin(operations, true);

    private CompletableFuture<Outcome> call(String what) {
        calls.add(what);
        return CompletableFuture.completedFuture(next);
    }

    private static BalancerStatus status(boolean stopping, String... states) {
        List<BalancerStatus.BackendView> backends = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            Backend backend = new Backend(i, new InetSocketAddress("127.0.0.1", 8081 + i));
            backend.requestCompleted(2_000_000);
            LatencyHistogram latency = backend.requests();
            backends.add(new BalancerStatus.BackendView("127.0.0.1:" + (8081 + i), states[i], i, 10 + i,
                    latency.count(), 100, 200, LatencyHistogram.boundsSeconds(), latency.cumulativeCounts(),
                    latency.sumNanos()));
        }
        return new BalancerStatus(65_000, "round-robin", "http", "epoll", stopping,
                List.of(new ClusterStatus.ListenerView("127.0.0.1:9000", 5, 1, 0, 300, 600, 0)), backends);
    }

    private AdminAnswer answer(HttpMethod method, String uri) {
        return admin.answer(method, new QueryStringDecoder(uri)).join();
    }

    @Test
    void readyWhileABackendIsInRotationAndNoStopWasAsked() {
        AdminAnswer ready = answer(HttpMethod.GET, "/ready");
        assertEquals(200, ready.status().code());
        assertEquals("ready: 1 of 2 backend(s) in rotation\n", ready.body());

        status = status(false, "down", "draining", "removing");
        AdminAnswer none = answer(HttpMethod.GET, "/ready");
        assertEquals(503, none.status().code());
        assertEquals("not ready: no backend in rotation (3 known; see GET /status)\n", none.body());

        status = status(true, "ready", "ready");
        AdminAnswer stopping = answer(HttpMethod.GET, "/ready");
        assertEquals(503, stopping.status().code());
        assertEquals("not ready: stopping\n", stopping.body());
    }

    @Test
    void statusShowsEachBackendWithItsStateAsJsonAndAsTheCliTable() {
        AdminAnswer json = answer(HttpMethod.GET, "/status");
        assertEquals("application/json", json.contentType());
        assertEquals("{\"uptimeMillis\":65000,\"strategy\":\"round-robin\",\"mode\":\"http\",\"transport\":\"epoll\","
                + "\"ready\":true,\"stopping\":false,\"listeners\":[{\"address\":\"127.0.0.1:9000\","
                + "\"connectionsTotal\":5,\"openConnections\":1,\"refusedTotal\":0,\"bytesFromClients\":300,"
                + "\"bytesToClients\":600,\"queueLength\":0}],\"backends\":[{\"address\":\"127.0.0.1:8081\","
                + "\"state\":\"ready\",\"openConnections\":0,\"connectionsTotal\":10,\"requests\":1,"
                + "\"bytesFromClients\":100,\"bytesToClients\":200},{\"address\":\"127.0.0.1:8082\","
                + "\"state\":\"draining\",\"openConnections\":1,\"connectionsTotal\":11,\"requests\":1,"
                + "\"bytesFromClients\":100,\"bytesToClients\":200}]}\n", json.body());

        AdminAnswer table = answer(HttpMethod.GET, "/status?format=table");
        assertEquals("""
                jcluster balance: up 1m5s, http mode, round-robin, listening on 127.0.0.1:9000, ready
                backend         state     conns  reqs    in   out
                127.0.0.1:8081  ready         0     1  0.0M  0.0M
                127.0.0.1:8082  draining      1     1  0.0M  0.0M
                """, table.body());
    }

    @Test
    void metricsParseAndNameEachBackendAndState() throws Exception {
        AdminAnswer metrics = answer(HttpMethod.GET, "/metrics");
        assertEquals(MetricsText.CONTENT_TYPE, metrics.contentType());
        Map<String, MetricFamily> families = MetricsTextTest.parse(metrics.body());
        assertTrue(families.keySet().containsAll(List.of("jcluster_ready", "jcluster_backends", "jcluster_backend_info",
                "jcluster_backend_open_connections", "jcluster_backend_requests_total",
                "jcluster_listener_connections_total", "jcluster_backend_request_duration_seconds")), families.keySet()
                .toString());
        assertTrue(metrics.body().contains("jcluster_backends{state=\"draining\"} 1\n"), metrics.body());
        assertTrue(metrics.body().contains("jcluster_backend_info{backend=\"127.0.0.1:8082\",state=\"draining\"} 1\n"),
                metrics.body());
        assertTrue(metrics.body().contains("jcluster_ready 1\n"), metrics.body());
    }

    /** With --cache and --access-log: the agent's POST /cache/purge, and its cache and access log figures. */
    @Test
    void cachePurgeAndTheCacheAndAccessLogFiguresAsOnTheAgentsEndpoint() throws Exception {
        BalancerStatus plain = status;
        status = new BalancerStatus(plain.uptimeMillis(), plain.strategy(), plain.mode(), plain.transport(), false,
                plain.listeners(), plain.backends(), new ClusterStatus.CacheView(7, 3, 1, 2, 4, 5, 6, 8, 9, 10, 12345,
                16 << 20), new ClusterStatus.AccessLogView("/var/log/access.log", 1200, 17));

        AdminAnswer purged = answer(HttpMethod.POST, "/cache/purge?path=/a/b");
        assertEquals(200, purged.status().code(), purged.body());
        assertEquals("purged 3 cached response(s) whose path is /a/b\n", purged.body());
        assertEquals(200, answer(HttpMethod.POST, "/cache/purge?prefix=/a/").status().code());
        assertEquals(List.of("purge path /a/b", "purge prefix /a/"), calls);
        assertEquals(400, answer(HttpMethod.POST, "/cache/purge?path=no-slash").status().code());
        assertEquals(400, answer(HttpMethod.POST, "/cache/purge?path=/a&prefix=/b").status().code());
        assertEquals(405, answer(HttpMethod.GET, "/cache/purge?path=/a").status().code());
        assertEquals(2, calls.size(), "a refused purge purges nothing");

        String metrics = answer(HttpMethod.GET, "/metrics").body();
        Map<String, MetricFamily> families = MetricsTextTest.parse(metrics);
        assertTrue(families.keySet().containsAll(List.of("jcluster_cache_requests_total", "jcluster_cache_bytes",
                "jcluster_access_log_lines_total", "jcluster_access_log_dropped_total")), families.keySet().toString());
        assertTrue(metrics.contains("jcluster_cache_requests_total{outcome=\"hit\"} 7\n"), metrics);
        assertTrue(metrics.contains("jcluster_access_log_dropped_total 17\n"), metrics);

        String json = answer(HttpMethod.GET, "/status").body();
        assertTrue(json.endsWith("],\"cache\":{\"hits\":7,\"misses\":3,\"stale\":1,\"revalidated\":2,\"bypassed\":4,"
                + "\"coalesced\":5,\"stores\":6,\"evictions\":8,\"purged\":9,\"entries\":10,\"bytes\":12345,"
                + "\"maxBytes\":16777216},\"accessLog\":{\"target\":\"/var/log/access.log\",\"written\":1200,"
                + "\"dropped\":17}}\n"), json);
        String table = answer(HttpMethod.GET, "/status?format=table").body();
        assertTrue(table.endsWith("""
                cache: 0.0M of 16.0M, 10 responses, hits 7 (39%), misses 3, evictions 8
                access log: /var/log/access.log, 1200 lines, 17 dropped (requests came faster than it took them, or\
                 writes failed)
                """), table);
    }

    @Test
    void withoutACacheAPurgeSaysHowToHaveOne() {
        AdminAnswer none = answer(HttpMethod.POST, "/cache/purge?path=/a");
        assertEquals(404, none.status().code());
        assertEquals("no response cache: start the balancer in http mode with --cache SIZE (e.g. --cache 64m)\n",
                none.body());
        assertTrue(calls.isEmpty());
    }

    @Test
    void backendOperationsNameTheBackendAndMapTheOutcomeToAStatus() {
        assertEquals(200, answer(HttpMethod.POST, "/backend/drain?address=127.0.0.1:8081").status().code());
        next = Outcome.of(Kind.UNFINISHED, "still 2 open");
        AdminAnswer unfinished = answer(HttpMethod.POST, "/backend/remove?address=127.0.0.1:8082");
        assertEquals(202, unfinished.status().code());
        assertEquals("still 2 open\n", unfinished.body());
        next = Outcome.of(Kind.UNKNOWN, "no backend");
        assertEquals(404, answer(HttpMethod.POST, "/backend/ready?address=127.0.0.1:1").status().code());
        next = Outcome.of(Kind.CONFLICT, "already");
        assertEquals(409, answer(HttpMethod.POST, "/backend/add?address=127.0.0.1:8081").status().code());
        next = Outcome.of(Kind.BAD_REQUEST, "bad");
        assertEquals(400, answer(HttpMethod.POST, "/backend/add?address=nope").status().code());
        assertEquals(List.of("drain 127.0.0.1:8081", "remove 127.0.0.1:8082", "ready 127.0.0.1:1",
                "add 127.0.0.1:8081", "add nope"), calls);
    }

    @Test
    void withoutATokenNoBackendCanBeAdded() {
        BalancerAdmin open = new BalancerAdmin(operations, false);
        AdminAnswer refused = open.answer(HttpMethod.POST,
                new QueryStringDecoder("/backend/add?address=127.0.0.1:6666")).join();
        assertEquals(403, refused.status().code());
        assertTrue(refused.body().startsWith("refused: adding a backend needs an admin token"), refused.body());
        assertEquals(List.of(), calls);
        assertEquals(200, open.answer(HttpMethod.POST, new QueryStringDecoder("/backend/drain?address=127.0.0.1:8081"))
                .join().status().code(), "draining needs no token on loopback, as the agent's reload does not");
    }

    @Test
    void wrongMethodsMissingAddressesAndUnknownPathsChangeNothing() {
        AdminAnswer get = answer(HttpMethod.GET, "/backend/drain?address=127.0.0.1:8081");
        assertEquals(405, get.status().code());
        assertEquals("POST", get.allow());
        AdminAnswer post = answer(HttpMethod.POST, "/ready");
        assertEquals(405, post.status().code());
        assertEquals("GET", post.allow());
        assertEquals(400, answer(HttpMethod.POST, "/backend/drain").status().code());
        assertEquals(400, answer(HttpMethod.POST, "/backend/drain?address=").status().code());
        AdminAnswer unknown = answer(HttpMethod.POST, "/reload");
        assertEquals(404, unknown.status().code());
        assertTrue(unknown.body().startsWith("no such endpoint: /reload (GET /status"), unknown.body());
        assertEquals(List.of(), calls);
    }
}
