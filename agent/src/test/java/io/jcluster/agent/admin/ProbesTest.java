package io.jcluster.agent.admin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /ready and GET /live, the probes of load balancers and Kubernetes: answered without the token (a kubelet
 * probe cannot carry a secret), everything else on the endpoint still needs it. On a real loopback socket.
 */
class ProbesTest {

    private static final String TOKEN = "s3cret";

    private final AtomicReference<ClusterOperations.Readiness> readiness = new AtomicReference<>(
            new ClusterOperations.Readiness(true, "ready: 2 of 2 worker(s) in rotation"));
    private AdminServer server;
    private int port;

    private void start(ClusterOperations cluster) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        server = AdminServer.start(new InetSocketAddress("127.0.0.1", port), TOKEN, 8, cluster);
    }

    private ClusterOperations cluster(List<ClusterStatus.WorkerView> workers, boolean ownReadiness) {
        return new StatusOnlyCluster() {
            @Override
            public ClusterStatus status() {
                return new ClusterStatus(1000, "round-robin", "tcp", "nio", List.of(), workers, null, null, null);
            }

            @Override
            public Readiness readiness() {
                return ownReadiness ? readiness.get() : super.readiness();
            }
        };
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String send(String method, String target, String extraHeaders) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n" + extraHeaders
                    + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void readyIs200WhileTheClusterSaysSoAnd503OtherwiseWithoutTheToken() throws IOException {
        start(cluster(List.of(), true));
        String ready = send("GET", "/ready", "");
        assertEquals(200, status(ready), ready);
        assertTrue(ready.endsWith("\r\n\r\nready: 2 of 2 worker(s) in rotation\n"), ready);
        readiness.set(new ClusterOperations.Readiness(false, "not ready: the cluster is stopping"));
        String stopping = send("GET", "/ready", "");
        assertEquals(503, status(stopping), stopping);
        assertTrue(stopping.endsWith("not ready: the cluster is stopping\n"), stopping);
        String live = send("GET", "/live", "");
        assertEquals(200, status(live), live);
        assertTrue(live.endsWith("\r\n\r\nlive\n"), live);
    }

    @Test
    void everythingElseStillNeedsTheToken() throws IOException {
        start(cluster(List.of(), true));
        assertEquals(401, status(send("GET", "/status", "")));
        assertEquals(401, status(send("GET", "/metrics", "")));
        assertEquals(401, status(send("POST", "/reload", "Content-Length: 0\r\n")));
        assertEquals(401, status(send("GET", "/status?x=/ready", "")));
        assertEquals(401, status(send("POST", "/ready", "Content-Length: 0\r\n")), "only GET is a probe");
        assertEquals(200, status(send("GET", "/ready?verbose=1", "")), "a query does not make it another path");
    }

    @Test
    void theBrowserAndHostRulesStillApplyToTheProbes() throws IOException {
        start(cluster(List.of(), true));
        assertEquals(403, status(send("GET", "/ready", "Origin: http://evil.example\r\n")));
        assertEquals(403, status(send("GET", "/live", "Sec-Fetch-Site: cross-site\r\n")));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /ready HTTP/1.1\r\nHost: rebound.example:80\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(421, status(response), response);
        }
    }

    @Test
    void withoutItsOwnAnswerReadinessComesFromTheWorkersStates() throws IOException {
        double[] bounds = {0.1};
        ClusterStatus.WorkerView starting = worker(0, "starting", bounds);
        ClusterStatus.WorkerView ready = worker(1, "ready", bounds);
        start(cluster(List.of(starting), false));
        assertEquals(503, status(send("GET", "/ready", "")));
        server.close();
        start(cluster(List.of(starting, ready), false));
        String response = send("GET", "/ready", "");
        assertEquals(200, status(response), response);
        assertTrue(response.endsWith("ready: 1 worker(s) in rotation\n"), response);
    }

    private static ClusterStatus.WorkerView worker(int id, String state, double[] bounds) {
        return new ClusterStatus.WorkerView(id, 100 + id, state, 1000, 0, null, 0, 0, 0, 0, 0, -1, -1, -1, -1, bounds,
                new long[] {0, 0}, 0, 0);
    }
}
