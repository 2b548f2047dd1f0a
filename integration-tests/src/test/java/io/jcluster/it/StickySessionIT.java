package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sticky=cookie pins a client (its cookie jar) to one worker until that worker dies; sticky=JSESSIONID pins the
 * app's own sessions, so a session counter kept in one worker's memory counts up without a gap.
 * Both under round-robin, which would otherwise alternate every request.
 */
@Timeout(180)
class StickySessionIT {

    /** One JDK: the cookie and the pinning are the parent's, the same on every JDK and transport. */
    @Test
    void aClientStaysWithItsWorkerUntilThatWorkerDies() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.web(jdk, port,
                "processes=2,mode=http,strategy=round-robin,sticky=cookie,restart-delay=10s")) {
            Map<Integer, Long> workers = cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);
            HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> first = get(browser, port, "/");
            String cookie = first.headers().firstValue("set-cookie").orElseThrow(() ->
                    new AssertionError("the first response sets the cookie: " + first.headers().map()));
            assertTrue(cookie.startsWith("JCLUSTER=w") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax")
                    && !cookie.contains("Secure"), cookie);
            long pinned = pid(first);
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> response = get(browser, port, "/");
                assertEquals(pinned, pid(response), "request " + i + " stays on its worker");
                assertTrue(response.headers().firstValue("set-cookie").isEmpty(), "no new cookie while it lives");
            }

            Signals.kill(pinned);
            ClusterProcess.sleep(300);
            HttpResponse<String> moved = get(browser, port, "/");
            assertEquals(200, moved.statusCode(), moved.body());
            long other = workers.values().stream().filter(pid -> pid != pinned).findFirst().orElseThrow();
            assertEquals(other, pid(moved), "the next request goes to the living worker");
            String renewed = moved.headers().firstValue("set-cookie").orElseThrow(() ->
                    new AssertionError("a new cookie names the new worker"));
            assertNotEquals(cookie.split(";")[0], renewed.split(";")[0], renewed);
            for (int i = 0; i < 10; i++) {
                assertEquals(other, pid(get(browser, port, "/")), "pinned to the new worker");
            }
        }
    }

    /**
     * Embedded Tomcat's own servlet sessions (HttpSession, its JSESSIONID cookie).
     * One JDK, as above (Temurin 25 here, JDK 17 above).
     */
    @Test
    void theAppsSessionCookiePinsTheSession() throws Exception {
        Jdk jdk = Jdk.temurin25();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=2,mode=http,strategy=round-robin,sticky=JSESSIONID")
                .launch(Stack.TOMCAT_NIO.launch(port).toArray(String[]::new)).start()) {
            cluster.awaitWorkers(2, STARTUP);
            cluster.awaitAnswering(port, 2, STARTUP);
            for (int client = 0; client < 2; client++) { // two sessions, one per worker (round-robin)
                HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                        .version(HttpClient.Version.HTTP_1_1).build();
                Set<Long> pids = new HashSet<>();
                for (int i = 1; i <= 20; i++) {
                    HttpResponse<String> response = get(browser, port, "/session");
                    assertEquals("count " + i + "\n", response.body(), "session of client " + client);
                    pids.add(pid(response));
                }
                assertEquals(1, pids.size(), "one worker holds the session: " + pids);
            }
        }
    }

    private static HttpResponse<String> get(HttpClient client, int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long pid(HttpResponse<String> response) {
        return Long.parseLong(response.headers().firstValue("x-pid").orElseThrow());
    }

}
