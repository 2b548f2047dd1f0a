package io.jcluster.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One browser of a session-counter app (the sessions=shared samples): it keeps the session cookie and reads what each
 * sample answers, {@code count=N worker=W} (N: the session's counter after this request; W: jcluster.worker.id of
 * the worker that served it). {@link #assertSurvivesEverything} is acceptance 1 of shared sessions.
 */
final class SessionCounter {

    static final String COOKIE = "JSESSIONID";
    private static final Pattern ANSWER = Pattern.compile("count=(\\d+)\\s+worker=(\\d+)");
    private static final Pattern SET_COOKIE = Pattern.compile("^" + COOKIE + "=([^;]+)");

    /** What one request answered. */
    record Hit(int count, int worker, int status, String body) {
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Http.CONNECT_TIMEOUT).build();
    private final URI uri;
    private String cookie;

    SessionCounter(int port, String path) {
        this.uri = URI.create("http://127.0.0.1:" + port + path);
    }

    String cookie() {
        return cookie;
    }

    /** Uses that session from now on (a second browser that copied the cookie, or another cluster's). */
    SessionCounter withCookie(String value) {
        this.cookie = value;
        return this;
    }

    /** One request with the session's cookie (none before the first answer set one). */
    Hit next() throws IOException, InterruptedException {
        return send(uri);
    }

    /** A request to another path of the same app, with the session's cookie. */
    Hit send(URI target) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Http.READ_TIMEOUT).GET();
        if (cookie != null) {
            request.header("Cookie", COOKIE + "=" + cookie);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        for (String setCookie : response.headers().allValues("set-cookie")) {
            Matcher matcher = SET_COOKIE.matcher(setCookie);
            if (matcher.find()) {
                cookie = matcher.group(1);
            }
        }
        Matcher answer = ANSWER.matcher(response.body());
        if (!answer.find()) {
            return new Hit(-1, -1, response.statusCode(), response.body());
        }
        return new Hit(Integer.parseInt(answer.group(1)), Integer.parseInt(answer.group(2)), response.statusCode(),
                response.body());
    }

    /**
     * {@code requests} requests that must count on from {@code last} + 1, one by one; returns the workers that
     * served them.
     */
    Set<Integer> countOn(int last, int requests) throws IOException, InterruptedException {
        Set<Integer> workers = new HashSet<>();
        List<String> seen = new ArrayList<>();
        for (int i = 1; i <= requests; i++) {
            Hit hit = next();
            seen.add(hit.count() + "@w" + hit.worker());
            assertEquals(200, hit.status(), "request " + i + " after count " + last + ": " + hit.body());
            assertEquals(last + i, hit.count(), "the count goes on from " + last + " (so far: " + seen + ")");
            workers.add(hit.worker());
        }
        return workers;
    }

    /**
     * Acceptance 1: under processes=2, round-robin and no sticky, 20 requests with one cookie count 1..20 on both
     * workers; the count goes on after kill -9 of a worker, after a rolling reload, and after scale 4.
     *
     * @param adminPort the cluster's admin endpoint (admin=127.0.0.1:PORT, no token)
     * @return the count reached
     */
    int assertSurvivesEverything(ClusterProcess cluster, int adminPort) throws Exception {
        Set<Integer> first = countOn(0, 20);
        assertEquals(Set.of(0, 1), first, "20 requests alternate over both workers");
        int count = 20;
        System.out.println("[it] sessions: 1..20 on workers " + first);

        long victim = cluster.workerPid(1);
        Signals.kill(victim);
        cluster.awaitLine("^\\[jcluster\\] worker 1 \\(pid " + victim + "\\) exited", STARTUP);
        count += countOn(count, 4).size() > 0 ? 4 : 0; // the survivor serves while the slot restarts
        cluster.await(() -> cluster.startedWorkers().get(1) != victim, "worker 1 restarted", STARTUP);
        new Admin(adminPort, null).awaitAllReady(2, STARTUP);
        Set<Integer> afterKill = countOn(count, 10);
        count += 10;
        assertEquals(Set.of(0, 1), afterKill, "after kill -9 both workers serve the session");
        System.out.println("[it] sessions: after kill -9 of worker 1 (pid " + victim + "): up to " + count);

        Set<Long> before = Set.copyOf(cluster.startedWorkers().values());
        Admin.Reply reload = new Admin(adminPort, null).post("/reload");
        assertEquals(200, reload.status(), reload.body() + "\n" + cluster.describe());
        Set<Long> after = Set.copyOf(cluster.startedWorkers().values());
        after.forEach(pid -> assertTrue(!before.contains(pid), "reload replaced every worker: " + before + " -> " + after));
        assertEquals(Set.of(0, 1), countOn(count, 10), "after a rolling reload both workers serve the session");
        count += 10;
        System.out.println("[it] sessions: after a rolling reload: up to " + count);

        Admin.Reply scale = new Admin(adminPort, null).post("/scale?processes=4");
        assertEquals(200, scale.status(), scale.body() + "\n" + cluster.describe());
        new Admin(adminPort, null).awaitAllReady(4, STARTUP);
        assertEquals(Set.of(0, 1, 2, 3), countOn(count, 12), "after scale 4 all four workers serve the session");
        count += 12;
        System.out.println("[it] sessions: after scale 4: up to " + count);
        return count;
    }

    static Duration startup() {
        return STARTUP;
    }
}
