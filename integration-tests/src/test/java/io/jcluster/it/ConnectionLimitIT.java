package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * max-connections=2, queue-timeout=1s: a third client waits for a slot. If one frees in time it is served; if not,
 * http mode answers 503 with Retry-After after about a second, and tcp mode closes the connection.
 */
@Timeout(180)
class ConnectionLimitIT {

    private static final String LIMIT = "processes=2,max-connections=2,queue-timeout=1s";

    /** One JDK: the limit, the queue and its timeout are the parent's, the same on every JDK and transport. */
    @Test
    void aThirdClientWaitsThenGets503WithRetryAfter() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try (ClusterProcess cluster = ClusterProcess.web(jdk, port, LIMIT + ",mode=http")) {
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.contains("max-connections=2"), listening);
            cluster.awaitAnswering(port, 2, STARTUP);

            // slots free in time: two 600 ms requests, the third waits for one and is served
            CompletableFuture<Http.Response> a = fresh(clients, port, "/slow?ms=600");
            CompletableFuture<Http.Response> b = fresh(clients, port, "/slow?ms=600");
            ClusterProcess.sleep(150);
            long start = System.nanoTime();
            Http.Response waited = Http.fresh(port, "/");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(200, waited.status(), waited.toString());
            assertTrue(seconds > 0.2, "the third waited for a slot: " + seconds + " s");
            assertEquals(200, a.get(10, TimeUnit.SECONDS).status());
            assertEquals(200, b.get(10, TimeUnit.SECONDS).status());

            // no slot frees in time: 503 + Retry-After after queue-timeout
            CompletableFuture<Http.Response> c = fresh(clients, port, "/slow?ms=3000");
            CompletableFuture<Http.Response> d = fresh(clients, port, "/slow?ms=3000");
            ClusterProcess.sleep(300);
            start = System.nanoTime();
            Http.Response rejected = Http.fresh(port, "/");
            seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(503, rejected.status(), rejected.toString());
            assertTrue(rejected.header("retry-after") != null, "Retry-After: " + rejected.headers());
            assertTrue(rejected.body().startsWith("jcluster: "), rejected.body());
            assertTrue(seconds >= 0.8 && seconds < 2.5, "rejected after queue-timeout=1s: " + seconds + " s");
            assertEquals(200, c.get(10, TimeUnit.SECONDS).status());
            assertEquals(200, d.get(10, TimeUnit.SECONDS).status());
            assertEquals(200, Http.fresh(port, "/").status(), "slots are given back");
        } finally {
            clients.shutdownNow();
        }
    }

    /** One JDK, as above; Temurin 25 as users run it, so the NIO transport closes the connection (epoll above). */
    @Test
    void tcpModeClosesAWaitingConnectionAtQueueTimeout() throws Exception {
        Jdk jdk = Jdk.temurin25();
        int port = FreePorts.tcp();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try (ClusterProcess cluster = ClusterProcess.web(jdk, port, LIMIT)) {
            cluster.awaitAnswering(port, 2, STARTUP);
            CompletableFuture<Http.Response> c = fresh(clients, port, "/slow?ms=3000");
            CompletableFuture<Http.Response> d = fresh(clients, port, "/slow?ms=3000");
            ClusterProcess.sleep(300);
            try (Socket third = new Socket()) {
                third.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                third.setSoTimeout(10_000);
                long start = System.nanoTime();
                third.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                int read;
                try {
                    read = third.getInputStream().read();
                } catch (IOException reset) {
                    read = -1;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(-1, read, "closed without an answer");
                assertTrue(seconds >= 0.8 && seconds < 2.5, "closed after queue-timeout=1s: " + seconds + " s");
            }
            assertEquals(200, c.get(10, TimeUnit.SECONDS).status());
            assertEquals(200, d.get(10, TimeUnit.SECONDS).status());
        } finally {
            clients.shutdownNow();
        }
    }

    private static CompletableFuture<Http.Response> fresh(ExecutorService clients, int port, String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Http.fresh(port, path);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, clients);
    }
}
