package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * POST /cache/purge with store=redis: two clusters (as on two hosts) share one real redis-server, each with its own
 * response cache; a purge on one's admin endpoint empties that path on both, and leaves the other paths alone.
 */
@Timeout(180)
class CachePurgeRedisIT {

    @Test
    void aPurgeOnOneHostPurgesTheOther(@TempDir Path dir) throws Exception {
        Jdk jdk = Jdk.all().findFirst().orElseThrow();
        try (RedisServer redis = RedisServer.start(dir)) {
            int portA = FreePorts.tcp();
            int portB = FreePorts.tcp();
            int adminA = FreePorts.tcp();
            int adminB = FreePorts.tcp();
            String token = "purge";
            try (ClusterProcess a = start(jdk, portA, adminA, token, redis);
                 ClusterProcess b = start(jdk, portB, adminB, token, redis)) {
                Admin adminOfA = new Admin(adminA, token);
                Admin adminOfB = new Admin(adminB, token);
                adminOfA.awaitAllReady(1, STARTUP);
                adminOfB.awaitAllReady(1, STARTUP);
                for (int port : new int[] {portA, portB}) {
                    for (String path : new String[] {"/products/1", "/products/1?page=2", "/other"}) {
                        assertEquals("MISS", Http.fresh(port, path).header("x-cache"), port + path);
                        assertEquals("HIT", Http.fresh(port, path).header("x-cache"), port + path);
                    }
                }

                Admin.Reply purged = adminOfA.post("/cache/purge?path=/products/1");
                assertEquals(200, purged.status(), purged.body());
                assertTrue(purged.body().startsWith("purged 2 cached response(s)"), purged.body());
                // B purges when the message arrives through Redis: soon, not at once
                a.await(() -> {
                    try {
                        return adminOfB.get("/metrics").body().contains("\njcluster_cache_purged_total 2\n");
                    } catch (Exception e) {
                        return false;
                    }
                }, "host B's purge of /products/1", Duration.ofSeconds(10));
                for (int port : new int[] {portA, portB}) {
                    assertEquals("MISS", Http.fresh(port, "/products/1").header("x-cache"), port + " purged");
                    assertEquals("MISS", Http.fresh(port, "/products/1?page=2").header("x-cache"), port + " purged");
                    assertEquals("HIT", Http.fresh(port, "/other").header("x-cache"), port + " not purged");
                }
                assertEquals(400, adminOfA.post("/cache/purge?path=products").status());
            }
        }
    }

    private static ClusterProcess start(Jdk jdk, int port, int adminPort, String token, RedisServer redis)
            throws Exception {
        ClusterProcess cluster = ClusterProcess.on(jdk)
                .agentArgs("processes=1,mode=http,cache=8m,store=" + redis.uri() + ",admin=127.0.0.1:" + adminPort
                        + ",admin-token=" + token)
                .mainClass("samples.cache.CacheableServer").args(Integer.toString(port), "1024")
                .start();
        cluster.awaitListening("0.0.0.0:" + port, STARTUP);
        return cluster;
    }
}
