package io.jcluster.agent.cluster.redis;

import io.jcluster.agent.cluster.MessageBus;
import io.jcluster.agent.cluster.SharedMaps;
import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.cluster.StoreException;
import io.jcluster.agent.config.StoreLocation;
import io.jcluster.agent.config.StoreOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RedisStore against a real redis-server on a free loopback port (skipped, loudly, when it is not installed). */
class RedisStoreTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SHORT_LEASE = Duration.ofMillis(900);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Exception first = null;
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private RedisServer server() throws Exception {
        RedisServer server = RedisServer.start();
        toClose.add(server);
        return server;
    }

    private RedisStore store(RedisServer server) {
        return store(server, null);
    }

    private RedisStore store(RedisServer server, String password) {
        return store(server.port(), password);
    }

    private RedisStore store(int port, String password) {
        StoreOptions options = new StoreOptions(new StoreLocation("127.0.0.1", port, 0, false), 64L << 20,
                TIMEOUT, 256 * 1024, password);
        RedisStore store = RedisStore.open(options, SHORT_LEASE);
        toClose.add(store);
        return store;
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static void await(String what, BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void everyMapOperation() throws Exception {
        RedisServer server = server();
        SharedMaps maps = store(server).maps();
        assertTrue(store(server).health().up());

        assertNull(get(maps.get("m", "k")));
        get(maps.put("m", "k", bytes("v1"), 0));
        assertArrayEquals(bytes("v1"), get(maps.get("m", "k")));
        assertFalse(get(maps.putIfAbsent("m", "k", bytes("v2"), 0)));
        assertArrayEquals(bytes("v1"), get(maps.get("m", "k")));
        assertTrue(get(maps.putIfAbsent("m", "other", bytes("v2"), 0)));
        assertTrue(get(maps.remove("m", "k")));
        assertFalse(get(maps.remove("m", "k")));
        assertNull(get(maps.get("m", "k")));

        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        get(maps.put("m", "binary \u00e9\u4e2d", everyByte, 0));
        assertArrayEquals(everyByte, get(maps.get("m", "binary \u00e9\u4e2d")));
        assertEquals(-1, maps.entries());
        assertEquals(-1, maps.bytes());
        assertEquals(0, maps.evictions());
    }

    @Test
    void keysAreUnambiguousWhenNamesHoldColons() throws Exception {
        RedisServer server = server();
        SharedMaps maps = store(server).maps();
        get(maps.put("a:b", "c", bytes("first"), 0));
        get(maps.put("a", "b:c", bytes("second"), 0));
        assertArrayEquals(bytes("first"), get(maps.get("a:b", "c")));
        assertArrayEquals(bytes("second"), get(maps.get("a", "b:c")));
        assertEquals("first", server.command("GET", "jcluster:map:{a:b}:c"));
        assertEquals("second", server.command("GET", "jcluster:map:{a}:b:c"));
    }

    @Test
    void putWithTtlExpiresAndPutWithoutTtlClearsIt() throws Exception {
        RedisServer server = server();
        SharedMaps maps = store(server).maps();
        get(maps.put("m", "short", bytes("v"), 150));
        long pttl = Long.parseLong(server.command("PTTL", "jcluster:map:{m}:short").substring(1));
        assertTrue(pttl > 0 && pttl <= 150, "PTTL " + pttl);
        assertTrue(get(maps.putIfAbsent("m", "short-nx", bytes("v"), 150)));
        Thread.sleep(400);
        assertNull(get(maps.get("m", "short")));
        assertNull(get(maps.get("m", "short-nx")));

        get(maps.put("m", "k", bytes("v"), 60_000));
        get(maps.put("m", "k", bytes("v2"), 0));
        assertEquals(":-1", server.command("PTTL", "jcluster:map:{m}:k"), "put replaces the TTL too");
    }

    @Test
    void compareAndSetKeepsTheTtl() throws Exception {
        RedisServer server = server();
        SharedMaps maps = store(server).maps();
        get(maps.put("m", "k", bytes("old"), 60_000));
        assertFalse(get(maps.compareAndSet("m", "k", bytes("wrong"), bytes("new"))));
        assertTrue(get(maps.compareAndSet("m", "k", bytes("old"), bytes("new"))));
        assertArrayEquals(bytes("new"), get(maps.get("m", "k")));
        long pttl = Long.parseLong(server.command("PTTL", "jcluster:map:{m}:k").substring(1));
        assertTrue(pttl > 50_000 && pttl <= 60_000, "CAS keeps the TTL: PTTL " + pttl);

        assertFalse(get(maps.compareAndSet("m", "k", null, bytes("x"))), "null expected: only if absent");
        assertTrue(get(maps.compareAndSet("m", "absent", null, bytes("x"))));
        assertFalse(get(maps.compareAndSet("m", "missing", bytes("x"), bytes("y"))));

        // after SCRIPT FLUSH (a restarted server) EVALSHA says NOSCRIPT: the store sends the script again
        assertEquals("+OK", server.command("SCRIPT", "FLUSH"));
        assertTrue(get(maps.compareAndSet("m", "k", bytes("new"), bytes("newer"))));
        assertArrayEquals(bytes("newer"), get(maps.get("m", "k")));
    }

    @Test
    void incrementCountsFromZeroKeepsTheTtlAndStoresDecimalText() throws Exception {
        RedisServer server = server();
        SharedMaps maps = store(server).maps();
        assertEquals(5, get(maps.increment("m", "n", 5)));
        assertEquals(2, get(maps.increment("m", "n", -3)));
        assertArrayEquals(bytes("2"), get(maps.get("m", "n")));
        get(maps.put("m", "t", bytes("40"), 60_000));
        assertEquals(42, get(maps.increment("m", "t", 2)));
        long pttl = Long.parseLong(server.command("PTTL", "jcluster:map:{m}:t").substring(1));
        assertTrue(pttl > 50_000, "increment keeps the TTL: PTTL " + pttl);
    }

    @Test
    void incrementIsExactUnderConcurrency() throws Exception {
        RedisServer server = server();
        SharedMaps maps = store(server).maps();
        int threads = 4;
        int each = 2_500;
        List<Thread> running = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    List<CompletableFuture<Long>> window = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        window.add(maps.increment("counter", "hits", 1));
                        if (window.size() == 50) {
                            for (CompletableFuture<Long> f : window) {
                                f.get(10, TimeUnit.SECONDS);
                            }
                            window.clear();
                        }
                    }
                    for (CompletableFuture<Long> f : window) {
                        f.get(10, TimeUnit.SECONDS);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            thread.start();
            running.add(thread);
        }
        for (Thread thread : running) {
            thread.join(60_000);
        }
        assertTrue(errors.isEmpty(), errors.toString());
        assertEquals(threads * each, get(maps.increment("counter", "hits", 0)));
    }

    @Test
    void incrementOfSomethingElseThanANumberFailsClearly() throws Exception {
        RedisServer server = server();
        SharedMaps maps = store(server).maps();
        get(maps.put("m", "text", bytes("abc"), 0));
        Throwable error = failure(maps.increment("m", "text", 1));
        assertInstanceOf(StoreException.class, error);
        assertEquals("shared map 'm': the value of 'text' is not a number: increment needs one (decimal text)",
                error.getMessage());

        get(maps.put("m", "big", bytes(Long.toString(Long.MAX_VALUE)), 0));
        error = failure(maps.increment("m", "big", 1));
        assertInstanceOf(StoreException.class, error);
        assertTrue(error.getMessage().contains("overflows a 64-bit number"), error.getMessage());
    }

    private record Delivered(String topic, String message, int fromWorker) {
    }

    private static MessageBus.Sink into(List<Delivered> delivered) {
        return (topic, message, fromWorker) -> delivered.add(
                new Delivered(topic, new String(message, StandardCharsets.UTF_8), fromWorker));
    }

    @Test
    void messagesReachEveryHostInEachPublishersOrderTheirOwnIncluded() throws Exception {
        RedisServer server = server();
        RedisStore hostA = store(server);
        RedisStore hostB = store(server);
        List<Delivered> atA = new CopyOnWriteArrayList<>();
        List<Delivered> atB = new CopyOnWriteArrayList<>();
        hostA.messages().deliverTo(into(atA));
        hostB.messages().deliverTo(into(atB));

        int each = 500;
        for (int i = 0; i < each; i++) {
            hostA.messages().publish("chat", bytes("a" + i), 1);
            hostB.messages().publish("chat.room:2", bytes("b" + i), 3);
        }
        await("every message at both hosts", () -> atA.size() == 2 * each && atB.size() == 2 * each,
                Duration.ofSeconds(20));

        assertInOrder(atA, "a", "chat", 1, each);
        assertInOrder(atA, "b", "chat.room:2", -1, each);
        assertInOrder(atB, "a", "chat", -1, each);
        assertInOrder(atB, "b", "chat.room:2", 3, each);
        assertEquals(0, hostA.messages().dropped());
    }

    private static void assertInOrder(List<Delivered> delivered, String prefix, String topic, int fromWorker,
                                      int count) {
        List<Delivered> from = delivered.stream().filter(d -> d.message().startsWith(prefix)).toList();
        assertEquals(count, from.size());
        for (int i = 0; i < count; i++) {
            assertEquals(new Delivered(topic, prefix + i, fromWorker), from.get(i));
        }
    }

    @Test
    void aValueOnTheChannelThatIsNoEnvelopeIsDroppedAndCounted() throws Exception {
        RedisServer server = server();
        RedisStore store = store(server);
        List<Delivered> delivered = new CopyOnWriteArrayList<>();
        store.messages().deliverTo(into(delivered));
        assertEquals(":1", server.command("PUBLISH", RedisMessages.CHANNEL, "not an envelope"));
        store.messages().publish("t", bytes("after"), 0);
        await("the real message", () -> delivered.size() == 1, Duration.ofSeconds(10));
        assertEquals(new Delivered("t", "after", 0), delivered.get(0));
        assertEquals(1, store.messages().dropped());
    }

    @Test
    void envelopesRefuseWhatTheyCannotTrust() {
        byte[] good = new MessageEnvelope(1, 2, 3, "topic", bytes("payload")).encode();
        MessageEnvelope decoded = MessageEnvelope.decode(good, 1024);
        assertEquals("topic", decoded.topic());
        assertEquals(3, decoded.worker());
        assertArrayEquals(bytes("payload"), decoded.payload());
        assertNull(MessageEnvelope.decode(good, 6), "payload over max-message");
        assertNull(MessageEnvelope.decode(new byte[0], 1024));
        byte[] otherVersion = good.clone();
        otherVersion[0] = 2;
        assertNull(MessageEnvelope.decode(otherVersion, 1024));
        byte[] badTopic = new MessageEnvelope(1, 2, 3, "top c", bytes("p")).encode();
        assertNull(MessageEnvelope.decode(badTopic, 1024));
        byte[] truncated = java.util.Arrays.copyOf(good, 25);
        assertNull(MessageEnvelope.decode(truncated, 1024), "topic length past the end");
    }

    private static final class LeaseState {
        final List<Boolean> told = new CopyOnWriteArrayList<>();

        boolean held() {
            return !told.isEmpty() && told.get(told.size() - 1);
        }
    }

    @Test
    void exactlyOneOfTwoHostsHoldsTheLeaseAndClosingHandsItOver() throws Exception {
        RedisServer server = server();
        RedisStore hostA = store(server);
        RedisStore hostB = store(server);
        LeaseState a = new LeaseState();
        LeaseState b = new LeaseState();
        hostA.lease().start(a.told::add);
        hostB.lease().start(b.told::add);
        await("one holds", () -> a.held() || b.held(), Duration.ofSeconds(5));
        // several renewals later, still exactly one
        for (int i = 0; i < 20; i++) {
            assertTrue(a.held() ^ b.held(), "exactly one holds: a=" + a.told + " b=" + b.told);
            Thread.sleep(100);
        }
        RedisStore holder = a.held() ? hostA : hostB;
        LeaseState other = a.held() ? b : a;
        String token = ((RedisLease) holder.lease()).token();
        assertEquals(token, server.command("GET", RedisLease.KEY));

        long closing = System.nanoTime();
        holder.lease().close();
        await("the other host takes over", other::held, Duration.ofSeconds(3));
        long handOver = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing);
        assertTrue(handOver < SHORT_LEASE.toMillis(), "handed over in " + handOver + "ms, before the key could expire");
        LeaseState closed = other == a ? b : a;
        assertEquals(List.of(true, false), closed.told);
    }

    @Test
    void redisGoingDownTakesTheLeaseAwayFailsMapCallsClearlyAndComesBack() throws Exception {
        RedisServer server = server();
        RedisStore store = store(server);
        LeaseState lease = new LeaseState();
        store.lease().start(lease.told::add);
        List<Delivered> delivered = new CopyOnWriteArrayList<>();
        store.messages().deliverTo(into(delivered));
        await("the lease", lease::held, Duration.ofSeconds(5));
        get(store.maps().put("m", "k", bytes("kept?"), 0));

        long killed = System.nanoTime();
        server.stop();
        await("held(false)", () -> !lease.held(), Duration.ofSeconds(3));
        long lostAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
        assertTrue(lostAfter < SHORT_LEASE.toMillis(), "gave the lease up after " + lostAfter + "ms");
        await("health down", () -> !store.health().up(), Duration.ofSeconds(3));
        assertTrue(store.health().detail().startsWith("unreachable"), store.health().detail());

        long calling = System.nanoTime();
        Throwable error = failure(store.maps().get("m", "k"));
        long failedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - calling);
        assertInstanceOf(StoreException.class, error);
        assertTrue(error.getMessage().startsWith("shared map 'm': store=" + server.uri() + " is unreachable: "),
                error.getMessage());
        assertTrue(failedAfter <= TIMEOUT.toMillis(), "failed after " + failedAfter + "ms");

        store.messages().publish("t", bytes("while down"), 2);
        assertEquals(0, store.messages().dropped(), "buffered, not dropped");

        server.restart();
        await("health up", () -> store.health().up(), Duration.ofSeconds(10));
        await("the lease again", lease::held, Duration.ofSeconds(5));
        await("the buffered message", () -> delivered.size() == 1, Duration.ofSeconds(5));
        assertEquals(new Delivered("t", "while down", 2), delivered.get(0));
        assertNull(get(store.maps().get("m", "k")), "a restarted Redis without persistence forgot it");
        get(store.maps().put("m", "k", bytes("again"), 0));
        assertArrayEquals(bytes("again"), get(store.maps().get("m", "k")));
    }

    @Test
    void aCallInFlightWhenTheConnectionBreaksFailsAtOnceAndIsNeverSentAgain() throws Exception {
        RedisServer server = server();
        CuttableProxy proxy = new CuttableProxy(server.port());
        toClose.add(proxy);
        RedisStore store = store(proxy.port(), null);
        get(store.maps().put("m", "n", bytes("0"), 0));

        proxy.pause();
        CompletableFuture<Long> inFlight = store.maps().increment("m", "n", 1);
        Thread.sleep(200);
        assertFalse(inFlight.isDone(), "held by the proxy, unanswered");
        long cutting = System.nanoTime();
        proxy.cut();
        proxy.resume();
        Throwable error = failure(inFlight);
        long failedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutting);
        assertInstanceOf(StoreException.class, error);
        assertTrue(failedAfter < TIMEOUT.toMillis(), "failed " + failedAfter + "ms after the cut, not at the timeout");

        await("reconnected", () -> store.health().up(), Duration.ofSeconds(10));
        Thread.sleep(300);
        assertEquals("0", server.command("GET", "jcluster:map:{m}:n"),
                "the increment cut off in flight was not sent again after the reconnect (at most once)");
        assertEquals(1, get(store.maps().increment("m", "n", 1)));
    }

    @Test
    void whileRedisIsDownMessagesWaitInABoundedBufferAndTheRestAreDroppedAndCounted() throws Exception {
        RedisServer server = server();
        RedisStore store = store(server);
        List<Delivered> delivered = new CopyOnWriteArrayList<>();
        store.messages().deliverTo(into(delivered));
        server.stop();
        await("down", () -> !store.health().up(), Duration.ofSeconds(5));

        int extra = 5;
        for (int i = 0; i < RedisMessages.BUFFERED_MESSAGES + extra; i++) {
            store.messages().publish("t", bytes("m" + i), 0);
        }
        assertEquals(extra, store.messages().dropped(), "beyond 10,000 waiting messages");

        server.restart();
        await("the waiting messages", () -> delivered.size() == RedisMessages.BUFFERED_MESSAGES,
                Duration.ofSeconds(30));
        assertEquals(new Delivered("t", "m0", 0), delivered.get(0));
        assertEquals(new Delivered("t", "m" + (RedisMessages.BUFFERED_MESSAGES - 1), 0),
                delivered.get(RedisMessages.BUFFERED_MESSAGES - 1));

        server.stop();
        await("down again", () -> !store.health().up(), Duration.ofSeconds(5));
        byte[] big = new byte[200_000];
        int envelope = new MessageEnvelope(0, 0, 0, "t", big).encode().length;
        long fit = RedisMessages.BUFFERED_BYTES / envelope;
        for (int i = 0; i < 100; i++) {
            store.messages().publish("t", big, 0);
        }
        assertEquals(extra + (100 - fit), store.messages().dropped(), "beyond 16 MiB of waiting messages");
    }

    @Test
    void unreachableAtStartStartsAnywayAndConnectsWhenRedisComesUp() throws Exception {
        RedisServer server = RedisServer.reserve(null);
        toClose.add(server);
        long opening = System.nanoTime();
        RedisStore store = store(server);
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opening) <= TIMEOUT.toMillis() + 1000);
        assertFalse(store.health().up());
        assertTrue(store.health().detail().contains("Connection refused"), store.health().detail());
        Throwable error = failure(store.maps().increment("m", "k", 1));
        assertTrue(error.getMessage().contains("is unreachable: ") && error.getMessage().contains("Connection refused"),
                error.getMessage());

        server.restart();
        await("connected", () -> store.health().up(), Duration.ofSeconds(10));
        assertEquals(1, get(store.maps().increment("m", "k", 1)));
    }

    @Test
    void authenticatesWithThePasswordAndSaysWhenItIsMissing() throws Exception {
        RedisServer server = RedisServer.start("s3cret-test-password");
        toClose.add(server);
        RedisStore withPassword = store(server, "s3cret-test-password");
        get(withPassword.maps().put("m", "k", bytes("v"), 0));
        assertArrayEquals(bytes("v"), get(withPassword.maps().get("m", "k")));

        RedisStore without = store(server, null);
        assertFalse(without.health().up());
        assertTrue(without.health().detail().contains("NOAUTH"), without.health().detail());
        assertTrue(without.health().detail().contains("JCLUSTER_STORE_PASSWORD"), without.health().detail());
        assertFalse(without.kind().contains("s3cret"));

        RedisStore wrong = store(server, "wrong-password-123");
        assertFalse(wrong.health().up());
        assertTrue(wrong.health().detail().contains("WRONGPASS"), wrong.health().detail());
        assertFalse(wrong.health().detail().contains("wrong-password-123"), "the password is never shown");
        Throwable error = failure(wrong.maps().get("m", "k"));
        assertFalse(error.getMessage().contains("wrong-password-123"), error.getMessage());
    }

    @Test
    void redissChecksTheServersCertificate() throws Exception {
        RedisServer server = RedisServer.startTls();
        toClose.add(server);
        StoreOptions options = new StoreOptions(new StoreLocation("127.0.0.1", server.tlsPort(), 0, true), 64L << 20,
                TIMEOUT, 256 * 1024, null);
        RedisStore trusting = RedisStore.open(options, SHORT_LEASE,
                io.lettuce.core.SslOptions.builder().jdkSslProvider().trustManager(server.certificate()).build());
        toClose.add(trusting);
        assertEquals("rediss://127.0.0.1:" + server.tlsPort() + "/0", trusting.kind());
        get(trusting.maps().put("m", "k", bytes("over TLS"), 0));
        assertArrayEquals(bytes("over TLS"), get(trusting.maps().get("m", "k")));
        assertEquals("over TLS", server.command("GET", "jcluster:map:{m}:k"));

        RedisStore defaultTrust = RedisStore.open(options, SHORT_LEASE);
        toClose.add(defaultTrust);
        assertFalse(defaultTrust.health().up(), "a self-signed certificate is not in the JVM's trust store");
        assertTrue(defaultTrust.health().detail().contains("certification path")
                || defaultTrust.health().detail().contains("certificate"), defaultTrust.health().detail());
    }

    @Test
    void kindNamesTheServerWithoutAPassword() throws Exception {
        RedisServer server = server();
        Store store = store(server, null);
        assertEquals(server.uri(), store.kind());
    }
}
