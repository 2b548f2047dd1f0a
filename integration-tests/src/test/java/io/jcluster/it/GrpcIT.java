package io.jcluster.it;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC through mode=grpc (issue 19, acceptance 3): an unmodified grpc-java server (apps/grpc, grpc-netty-shaded on its
 * own native epoll) as 4 workers, and a real grpc-java client with ONE channel (one HTTP/2 connection to the parent):
 * every call is balanced on its own. In order, on one cluster (its start is the slow part):
 * <ol>
 *   <li>10,000 unary calls, 32 in flight, spread evenly over the 4 workers by round-robin;</li>
 *   <li>a server-streaming call on the last worker survives a rolling reload: the other three are replaced while it
 *       streams, then its own worker is drained (the stream finishes on it) and replaced;</li>
 *   <li>kill -9 of one worker under 40 in-flight 3 s calls fails exactly the calls it held, with UNAVAILABLE;</li>
 *   <li>with no worker in rotation a call fails at once with UNAVAILABLE.</li>
 * </ol>
 * One JDK: what is tested is the parent's HTTP/2 relay, the same on every JDK.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GrpcIT {

    private static final Jdk JDK = Jdk.temurin25();
    private static final int WORKERS = 4;

    private ClusterProcess cluster;
    private Admin admin;
    private ManagedChannel channel;
    private int port;

    @BeforeAll
    void startCluster() throws Exception {
        port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        String mode = System.getProperty("grpcit.mode", "grpc"); // tcp: only to try the test's plumbing
        cluster = ClusterProcess.on(JDK)
                .agentArgs("processes=" + WORKERS + ",mode=" + mode + ",strategy=round-robin,restart-delay=3s"
                        + ",shutdown-timeout=20s,admin=127.0.0.1:" + adminPort)
                .launch("-jar", ClusterProcess.Builder.existing("jcluster.apps.dir", "apps")
                        .resolve("grpc/target/app.jar").toString(), Integer.toString(port))
                .start();
        admin = new Admin(adminPort, null);
        cluster.awaitListening("0.0.0.0:" + port, STARTUP);
        cluster.awaitWorkers(WORKERS, STARTUP);
        admin.awaitAllReady(WORKERS, STARTUP);
        // grpc-netty-shaded serves on its shaded native epoll whenever it loads: that is the bind the agent moved
        cluster.awaitLine(line -> line.contains("grpc app (default, epoll available) pid "),
                "the app on grpc's shaded epoll transport", STARTUP);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @AfterAll
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * 10,000 Who calls from one channel, 32 in flight: every call succeeds, and each worker serves 2,500 ± 25. Strict
     * round-robin gives exactly 2,500 each when nothing else is balanced meanwhile; the 1% allows for the balancer
     * skipping a worker for a moment (e.g. its pooled connections at their stream limit), never for one worker
     * taking a share of another's.
     */
    @Test
    @Order(1)
    void tenThousandUnaryCallsFromOneChannelSpreadEvenlyOverFourWorkers() throws Exception {
        Map<String, Long> workers = workersByPid();
        assertEquals(WORKERS, workers.size(), "Who answered from every worker: " + workers);
        int calls = 10_000;
        Semaphore inFlight = new Semaphore(32);
        Map<String, AtomicInteger> perWorker = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(calls);
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            assertTrue(inFlight.tryAcquire(30, TimeUnit.SECONDS), "a call slot within 30 s (call " + i + ")");
            ClientCalls.asyncUnaryCall(call(Echo.WHO, 10_000), "", new Unary(answer -> {
                perWorker.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
                inFlight.release();
                done.countDown();
            }, failure -> {
                failures.computeIfAbsent(describe(failure), k -> new AtomicInteger()).incrementAndGet();
                inFlight.release();
                done.countDown();
            }));
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), "10,000 calls answered within 60 s: " + done.getCount() + " left");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("[it] GrpcIT: " + calls + " unary calls, 32 in flight, one channel, in " + millis + " ms: "
                + perWorker + ", failures " + failures);
        assertTrue(failures.isEmpty(), "failed calls: " + failures + "\n" + cluster.describe());
        assertEquals(WORKERS, perWorker.size(), "every worker served: " + perWorker);
        perWorker.forEach((worker, count) -> assertTrue(Math.abs(count.get() - calls / WORKERS) <= 25,
                "round-robin: each worker 2,500 ± 25: " + perWorker));
    }

    /**
     * A 200-tick stream (one tick each 100 ms, 20 s) on worker 3, then POST /reload: workers 0, 1, 2 are replaced one
     * by one while it streams (each: replacement ready, old one drained and stopped); then worker 3 is drained, which
     * waits for the stream, and replaced. The stream gets every tick, in order, all from worker 3's first process,
     * and ends OK. (20 s: three replacements take 6-9 s on an idle 2-core machine; the stream must outlast them.)
     */
    @Test
    @Order(2)
    void aServerStreamingCallSurvivesARollingReloadOfTheOtherWorkers() throws Exception {
        Map<Integer, Long> before = cluster.startedWorkers();
        int ticks = 200;
        Stream stream = streamOnWorker(WORKERS - 1, ticks + " 100");
        long streamer = before.get(WORKERS - 1);
        assertEquals(streamer + " " + (WORKERS - 1) + " 0", stream.messages.get(0), "the first tick names its worker");
        // the app says so at once when SIGTERM reaches it: if that line is out before the stream ended, the parent
        // stopped worker 3 under a stream instead of draining it (only grpc's own graceful shutdown would save it)
        // and the parent's own line: its drain of worker 3 must not end while the stream is open
        String stopping = "grpc app pid " + streamer + " " + (WORKERS - 1) + " stopping";
        String drained = "[jcluster] worker " + (WORKERS - 1) + " (pid " + streamer + ") ";
        stream.onEnd = () -> {
            List<String> output = cluster.output();
            stream.stoppedFirst = output.stream().anyMatch(line -> line.contains(stopping));
            stream.drainedFirst = output.stream().anyMatch(line -> line.startsWith(drained)
                    && line.contains("; stopping it"));
            stream.reloadReachedItFirst = !cluster.startedWorkers().get(WORKERS - 1).equals(streamer);
        };

        AtomicReference<Object> reload = new AtomicReference<>();
        Thread reloader = new Thread(() -> {
            try {
                reload.set(admin.post("/reload"));
            } catch (Exception e) {
                reload.set(e);
            }
        }, "reload");
        reloader.start();
        // the others are replaced while the stream is open: the reload goes by id, and starts worker 3's
        // replacement once 0..2 are replaced and their old processes drained and stopped
        cluster.await(() -> !cluster.startedWorkers().get(WORKERS - 1).equals(streamer),
                "the reload reaching worker " + (WORKERS - 1), Duration.ofSeconds(60));
        int ticksWhenOthersReplaced = stream.messages.size();
        boolean openWhenOthersReplaced = !stream.finished.await(0, TimeUnit.SECONDS);
        System.out.println("[it] GrpcIT: workers 0.." + (WORKERS - 2) + " replaced by tick " + ticksWhenOthersReplaced
                + " of " + ticks + " (stream still open: " + openWhenOthersReplaced + ")");

        assertTrue(stream.finished.await(60, TimeUnit.SECONDS), "the stream ended within 60 s\n" + cluster.describe());
        reloader.join(Duration.ofSeconds(90).toMillis());
        System.out.println("[it] GrpcIT: reload: " + reload.get());
        assertEquals(null, stream.failure.get(), "the stream ended OK after " + stream.messages.size() + " ticks\n"
                + cluster.describe());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < ticks; i++) {
            expected.add(streamer + " " + (WORKERS - 1) + " " + i);
        }
        assertEquals(expected, stream.messages, "every tick, in order, from worker " + (WORKERS - 1));
        // the drain is only put to the test if the reload reached worker 3 while the stream was open (a replacement
        // takes 2 s on an idle machine, up to 7 s on a busy one): say which
        System.out.println("[it] GrpcIT: the reload " + (stream.reloadReachedItFirst ? "reached" : "had not reached")
                + " worker " + (WORKERS - 1) + " when its stream ended; its drain: " + cluster.output().stream()
                .filter(line -> line.startsWith(drained) && line.contains("; stopping it")).findFirst().orElse("?"));
        assertTrue(!stream.drainedFirst, "the parent's drain of worker " + (WORKERS - 1) + " waited for its open"
                + " stream\n" + cluster.describe());
        assertTrue(!stream.stoppedFirst, "SIGTERM reached worker " + (WORKERS - 1) + " only after its stream ended\n"
                + cluster.describe());
        assertTrue(openWhenOthersReplaced, "the stream was still open once workers 0.." + (WORKERS - 2)
                + " had been replaced (it got " + ticksWhenOthersReplaced + " of " + ticks + " ticks by then)");
        assertTrue(reload.get() instanceof Admin.Reply reply && reply.status() == 200, "the reload succeeded: "
                + reload.get());
        Map<Integer, Long> after = cluster.startedWorkers();
        for (int id = 0; id < WORKERS; id++) {
            assertNotEquals(before.get(id), after.get(id), "worker " + id + " was replaced: " + before + " -> " + after);
        }
        assertEquals(Set.copyOf(after.values()), Set.copyOf(workersByPid().values()),
                "the new workers answer\n" + cluster.describe());
    }

    /**
     * kill -9 of worker 1 while 40 Slow(3 s) calls are in flight, about 10 on each worker (each worker's Busy says how
     * many it holds): exactly the calls it held fail, with UNAVAILABLE; all the others succeed, from the other
     * workers; calls made at once after succeed; the restarted worker serves.
     */
    @Test
    @Order(3)
    void killMinus9OfAWorkerFailsOnlyTheCallsInFlightOnIt() throws Exception {
        admin.awaitAllReady(WORKERS, STARTUP);
        assertEquals(WORKERS, workersByPid().size(), "every worker answers (and the channel is connected)");
        long victim = cluster.workerPid(1);
        int calls = 40;
        Map<String, AtomicInteger> answeredBy = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(calls);
        for (int i = 0; i < calls; i++) {
            ClientCalls.asyncUnaryCall(call(Echo.SLOW, 20_000), "3000", new Unary(answer -> {
                answeredBy.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
                done.countDown();
            }, failure -> {
                failures.computeIfAbsent(describe(failure), k -> new AtomicInteger()).incrementAndGet();
                done.countDown();
            }));
        }
        Map<Long, Integer> held = heldSlowCalls(calls);
        Signals.kill(victim);
        assertTrue(done.await(30, TimeUnit.SECONDS), "40 calls ended within 30 s: " + done.getCount() + " left");
        System.out.println("[it] GrpcIT: kill -9 of worker 1 (pid " + victim + ") holding " + held.get(victim)
                + " of 40 Slow(3 s) calls (per pid " + held + "): answered " + answeredBy + ", failed " + failures);
        int failed = failures.values().stream().mapToInt(AtomicInteger::get).sum();
        assertEquals(held.get(victim), failed, "exactly the calls on the killed worker failed: " + failures
                + ", answered " + answeredBy);
        assertTrue(failures.keySet().stream().allMatch(failure -> failure.startsWith("UNAVAILABLE")),
                "the calls on the killed worker fail with UNAVAILABLE: " + failures);
        held.forEach((pid, count) -> {
            if (pid != victim) {
                String who = answeredBy.keySet().stream().filter(w -> w.startsWith(pid + " ")).findFirst().orElse("");
                assertEquals(count, answeredBy.containsKey(who) ? answeredBy.get(who).get() : 0,
                        "every call on pid " + pid + " succeeded: " + answeredBy);
            }
        });

        List<String> after = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            after.add(ClientCalls.blockingUnaryCall(channel, Echo.WHO, CallOptions.DEFAULT.withDeadlineAfter(10,
                    TimeUnit.SECONDS), ""));
        }
        assertTrue(after.stream().noneMatch(who -> who.startsWith(victim + " ")), "calls right after: " + after);
        cluster.await(() -> cluster.startedWorkers().get(1) != victim, "worker 1's restart", STARTUP);
        admin.awaitAllReady(WORKERS, STARTUP);
        assertEquals(WORKERS, workersByPid().size(), "the restarted worker serves");
    }

    /**
     * Busy calls until each of the 4 workers said how many Slow calls it holds and they add up to {@code total} (every
     * call reached its worker); pid to count.
     */
    private Map<Long, Integer> heldSlowCalls(int total) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        Map<Long, Integer> held = new TreeMap<>();
        while (true) {
            held.clear();
            for (int i = 0; i < 3 * WORKERS && held.size() < WORKERS; i++) {
                String[] busy = ClientCalls.blockingUnaryCall(channel, Echo.BUSY, CallOptions.DEFAULT
                        .withDeadlineAfter(10, TimeUnit.SECONDS), "").split(" ");
                held.put(Long.parseLong(busy[0]), Integer.parseInt(busy[2]));
            }
            if (held.size() == WORKERS && held.values().stream().mapToInt(Integer::intValue).sum() == total) {
                return held;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the " + total + " Slow calls did not all reach a worker within 2 s: " + held);
            }
            ClusterProcess.sleep(50);
        }
    }

    /**
     * kill -9 of every worker: until the first is restarted (restart-delay=3s) none is in rotation, and a call fails at
     * once with UNAVAILABLE, not at its deadline.
     */
    @Test
    @Order(4)
    void withNoWorkerInRotationACallFailsWithUnavailable() throws Exception {
        admin.awaitAllReady(WORKERS, STARTUP);
        Map<Integer, Long> workers = cluster.startedWorkers();
        workers.values().forEach(Signals::kill);
        for (Map.Entry<Integer, Long> worker : workers.entrySet()) {
            cluster.awaitLine("^\\[jcluster\\] worker " + worker.getKey() + " \\(pid " + worker.getValue()
                    + "\\) exited", Duration.ofSeconds(10));
        }
        long start = System.nanoTime();
        StatusRuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, Echo.WHO, CallOptions.DEFAULT.withDeadlineAfter(10,
                        TimeUnit.SECONDS), ""));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("[it] GrpcIT: a call with no worker in rotation: " + describe(refused) + " after " + millis
                + " ms");
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), describe(refused));
        // the parent answered the call; it did not drop the client's connection (that would fail every call on it)
        assertTrue(!describe(refused).contains("Network closed"), "answered by the parent: " + describe(refused));
        assertTrue(states().stream().noneMatch("ready"::equals), "still none in rotation when it was answered: "
                + states());
    }

    // ---- helpers ----

    /** Who calls until every worker answered once (at most 100); pid/worker text to pid. */
    private Map<String, Long> workersByPid() {
        Map<String, Long> seen = new TreeMap<>();
        for (int i = 0; i < 100 && seen.size() < WORKERS; i++) {
            String who = ClientCalls.blockingUnaryCall(channel, Echo.WHO, CallOptions.DEFAULT.withDeadlineAfter(10,
                    TimeUnit.SECONDS), "");
            seen.put(who, Long.parseLong(who.substring(0, who.indexOf(' '))));
        }
        return seen;
    }

    private List<String> states() throws IOException, InterruptedException {
        return admin.states();
    }

    private ClientCall<String, String> call(MethodDescriptor<String, String> method, long deadlineMillis) {
        return channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS));
    }

    /**
     * A Ticks stream served by worker {@code id}: streams are opened (and the others cancelled) until one's first
     * tick comes from it. Round-robin makes that one of the first four.
     */
    private Stream streamOnWorker(int id, String request) throws InterruptedException {
        List<String> tried = new ArrayList<>();
        for (int attempt = 0; attempt < 12; attempt++) {
            Stream stream = new Stream();
            ClientCall<String, String> call = channel.newCall(Echo.TICKS, CallOptions.DEFAULT.withDeadlineAfter(120,
                    TimeUnit.SECONDS));
            ClientCalls.asyncServerStreamingCall(call, request, stream);
            assertTrue(stream.first.await(10, TimeUnit.SECONDS), "a first tick within 10 s: " + stream.failure.get());
            String first = stream.messages.get(0);
            if (first.split(" ")[1].equals(Integer.toString(id))) {
                return stream;
            }
            tried.add(first);
            call.cancel("not on worker " + id, null);
            stream.finished.await(10, TimeUnit.SECONDS);
        }
        throw new AssertionError("no stream on worker " + id + " in 12 tries: " + tried);
    }

    private static String describe(Throwable failure) {
        Status status = Status.fromThrowable(failure);
        return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }

    /** The client side of a Ticks call: every message in arrival order, and how it ended. */
    private static final class Stream implements StreamObserver<String> {
        final List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CountDownLatch first = new CountDownLatch(1);
        final CountDownLatch finished = new CountDownLatch(1);
        final AtomicReference<String> failure = new AtomicReference<>();
        /** Runs as the stream ends, before {@link #finished} opens. */
        volatile Runnable onEnd = () -> { };
        volatile boolean stoppedFirst;
        volatile boolean drainedFirst;
        volatile boolean reloadReachedItFirst;

        @Override
        public void onNext(String message) {
            messages.add(message);
            first.countDown();
        }

        @Override
        public void onError(Throwable t) {
            onEnd.run();
            failure.set(describe(t));
            first.countDown();
            finished.countDown();
        }

        @Override
        public void onCompleted() {
            onEnd.run();
            finished.countDown();
        }
    }

    /** A unary call's observer: one of the two callbacks runs, once. */
    private record Unary(java.util.function.Consumer<String> answered, java.util.function.Consumer<Throwable> failed)
            implements StreamObserver<String> {

        @Override
        public void onNext(String message) {
            answered.accept(message);
        }

        @Override
        public void onError(Throwable t) {
            failed.accept(t);
        }

        @Override
        public void onCompleted() {
        }
    }

    /** The sample app's Echo service (apps/grpc), described by hand as the app does: UTF-8 strings, no protobuf. */
    static final class Echo {
        static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(String value) {
                return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public String parse(InputStream stream) {
                try {
                    return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        static final MethodDescriptor<String, String> WHO = method("Who", MethodDescriptor.MethodType.UNARY);
        static final MethodDescriptor<String, String> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
        static final MethodDescriptor<String, String> BUSY = method("Busy", MethodDescriptor.MethodType.UNARY);
        static final MethodDescriptor<String, String> TICKS = method("Ticks",
                MethodDescriptor.MethodType.SERVER_STREAMING);

        private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
            return MethodDescriptor.<String, String>newBuilder().setType(type)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName("Echo", name))
                    .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
        }
    }
}
