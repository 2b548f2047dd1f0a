package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default strategy is least-connections: with 3 workers each holding one open connection,
 * every new connection goes to the idle 4th.
 */
@Timeout(180)
class LeastConnectionsIT {

    /**
     * Warm-up that does not depend on how least-connections breaks ties (sequential requests on
     * an idle cluster may all tie and go to the same worker): batches of {@code count} concurrent
     * slow requests, until every worker has answered.
     */
    private static Set<Long> awaitAllAnswerConcurrently(ClusterProcess cluster, int port, int count) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        Set<Long> seen = new HashSet<>();
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            while (seen.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("only " + seen + " answered within " + STARTUP + "\n" + cluster.describe());
                }
                List<Future<Http.Response>> batch = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    batch.add(pool.submit(() -> Http.fresh(port, "/slow?ms=400")));
                }
                for (Future<Http.Response> future : batch) {
                    try {
                        Http.Response response = future.get(20, TimeUnit.SECONDS);
                        if (response.status() == 200) {
                            seen.add(response.pid());
                        }
                    } catch (ExecutionException e) {
                        ClusterProcess.sleep(100); // not listening yet
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return seen;
    }

    /** One JDK: the strategy is the parent's, the same on every JDK and transport. */
    @Test
    void newConnectionsGoToTheWorkerWithoutOpenConnections() throws Exception {
        Jdk jdk = Jdk.jdk17();
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(jdk, port, "processes=4")) {
            String listening = cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            assertTrue(listening.contains("(least-connections, tcp, "), "least-connections is the default: " + listening);
            Map<Integer, Long> workers = cluster.awaitWorkers(4, STARTUP);
            Set<Long> answered = awaitAllAnswerConcurrently(cluster, port, 4);
            assertEquals(Set.copyOf(workers.values()), answered, cluster.describe());

            List<Http.KeepAlive> held = new ArrayList<>();
            try {
                List<Long> holderOf = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Http.KeepAlive connection = Http.keepAlive(port);
                    held.add(connection);
                    Http.Response response = connection.get("/");
                    assertEquals(200, response.status(), response.toString());
                    holderOf.add(response.pid());
                }
                Set<Long> holders = new HashSet<>(holderOf);
                assertEquals(3, holders.size(), "3 concurrent connections land on 3 distinct workers: " + holders
                        + "\n" + cluster.describe());

                Set<Long> idle = new HashSet<>(answered);
                idle.removeAll(holders);
                assertEquals(1, idle.size(), "exactly one worker holds no connection: " + idle);
                long idlePid = idle.iterator().next();
                for (int i = 0; i < 5; i++) {
                    Http.Response response = Http.fresh(port, "/");
                    assertEquals(200, response.status(), response.toString());
                    assertEquals(idlePid, response.pid(), "fresh request " + i + " goes to the worker without connections"
                            + " (holders " + holders + ")\n" + cluster.describe());
                    // no pause here: the balancer stops counting a connection when the worker sends its FIN,
                    // before the client can see the end of the response, so the next pick already sees it
                }

                // the held connections are still usable and still pinned to their worker
                for (int i = 0; i < held.size(); i++) {
                    Http.Response again = held.get(i).get("/");
                    assertEquals(200, again.status());
                    assertEquals(holderOf.get(i), again.pid(), "keep-alive connection " + i + " stays on its worker");
                }
            } finally {
                for (Http.KeepAlive connection : held) {
                    connection.close();
                }
            }
        }
    }
}
