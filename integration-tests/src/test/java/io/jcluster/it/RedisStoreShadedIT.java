package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * store=redis from the shaded jar alone: RedisStore loaded from {@code jcluster.jar} in a class loader that sees
 * nothing else (no unrelocated Lettuce, Reactor or Netty to fall back on) talks to a real redis-server. Proves the
 * relocation left Lettuce whole: its Reactor, its Netty (the relocated one, with its native transport) and its DNS
 * resolver are all found under io.jcluster.shaded.
 */
class RedisStoreShadedIT {

    private static final Path JAR = Path.of(System.getProperty("jcluster.agent.jar", "../agent/target/jcluster.jar"));
    private static final Path REDIS = Path.of("/usr/bin/redis-server");

    @Test
    void theShadedRedisStoreAnswers() throws Exception {
        if (!Files.isExecutable(REDIS)) {
            String reason = "SKIPPED: " + REDIS + " is missing (apt-get install redis-server; .ci/run does it)";
            System.err.println("#".repeat(100) + "\n" + reason + "\n" + "#".repeat(100));
            Assumptions.abort(reason);
        }
        int port = FreePorts.tcp();
        Process redis = new ProcessBuilder(REDIS.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(File.createTempFile("jcluster-redis", ".log")).start();
        try (URLClassLoader jar = new URLClassLoader(new URL[] {JAR.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            awaitListening(port);
            // as in the parent, where the jar's own loader is the context loader: Lettuce and Netty look classes up
            // through it, and the test's class path holds unrelocated Netty classes of the same names
            Thread.currentThread().setContextClassLoader(jar);
            Class<?> location = jar.loadClass("io.jcluster.agent.config.StoreLocation");
            Class<?> options = jar.loadClass("io.jcluster.agent.config.StoreOptions");
            Object where = location.getConstructor(String.class, int.class, int.class, boolean.class)
                    .newInstance("127.0.0.1", port, 0, false);
            Object storeOptions = options.getConstructor(location, long.class, Duration.class, long.class,
                    String.class).newInstance(where, 64L << 20, Duration.ofSeconds(5), 256L << 10, null);
            Object store = jar.loadClass("io.jcluster.agent.cluster.redis.RedisStore").getMethod("open", options)
                    .invoke(null, storeOptions);
            Class<?> storeType = jar.loadClass("io.jcluster.agent.cluster.Store");
            try {
                Object health = storeType.getMethod("health").invoke(store);
                assertEquals(true, health.getClass().getMethod("up").invoke(health), String.valueOf(health));
                Object maps = storeType.getMethod("maps").invoke(store);
                Class<?> mapsType = jar.loadClass("io.jcluster.agent.cluster.SharedMaps");
                Method put = mapsType.getMethod("put", String.class, String.class, byte[].class, long.class);
                Method get = mapsType.getMethod("get", String.class, String.class);
                Method increment = mapsType.getMethod("increment", String.class, String.class, long.class);
                await(put.invoke(maps, "shaded", "k", "v".getBytes(StandardCharsets.UTF_8), 60_000L));
                assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), (byte[]) await(get.invoke(maps, "shaded", "k")));
                assertEquals(3L, await(increment.invoke(maps, "shaded", "n", 3L)));
                assertTrue(storeType.getMethod("kind").invoke(store).toString().startsWith("redis://127.0.0.1:"));
                assertTrue(store.getClass().getClassLoader() == jar);
            } finally {
                storeType.getMethod("close").invoke(store);
            }
        } finally {
            Thread.currentThread().setContextClassLoader(RedisStoreShadedIT.class.getClassLoader());
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Object await(Object future) throws Exception {
        return ((CompletableFuture<?>) future).get(10, TimeUnit.SECONDS);
    }

    private static void awaitListening(int port) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
