package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ControlClient;
import io.jcluster.agent.control.ControlConnection;
import io.jcluster.agent.control.ControlListener;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.control.SilentSession;
import io.jcluster.agent.control.ControlServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub with workers on real control connections (unix sockets): ControlServer in front, ControlClient behind. */
class ClusterHubTest {

    private static final int MAX_MESSAGE = 64 * 1024;

    private final TestStore store = new TestStore(true);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Map<Long, ControlConnection> parentEnds = new ConcurrentHashMap<>();
    private ControlServer server;
    private ClusterHub hub;

    private void start(Outbound.Limits limits) throws IOException {
        hub = new ClusterHub(store, MAX_MESSAGE, limits);
        server = ControlServer.open();
        server.serve(this::accept, hub);
        closing.add(hub);
        closing.add(server);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable each : closing) {
            each.close();
        }
        parentEnds.values().forEach(ControlConnection::close);
    }

    @Test
    void aMessageReachesEverySubscriberTheSenderIncludedAndNoOtherWorker() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Worker a = worker(0, 1000);
        Worker b = worker(1, 1001);
        Worker c = worker(2, 1002);
        a.subscribe(1, "news");
        b.subscribe(1, "news");
        c.subscribe(1, "weather");

        a.send(new ClusterFrame.Publish("news", bytes("hello")));
        c.send(new ClusterFrame.Publish("weather", bytes("rain")));

        for (Worker subscriber : List.of(a, b)) {
            ClusterFrame.Message message = subscriber.next(ClusterFrame.Message.class);
            assertEquals("news", message.topic());
            assertEquals("hello", text(message.message()));
            assertEquals(0, message.fromWorker());
        }
        // c's first message is its own on 'weather': nothing of 'news' came before it
        ClusterFrame.Message first = c.next(ClusterFrame.Message.class);
        assertEquals("weather", first.topic());
        assertEquals(2, first.fromWorker());
        a.assertNothingMore();
        b.assertNothingMore();
        assertEquals(2, hub.view().messagesPublished());
        assertEquals(3, hub.view().messagesDelivered());
    }

    @Test
    void reservedTopicsAreTheParentsOwnAndOnlyOtherHostsCachePurgesReachTheHook() throws Exception {
        start(Outbound.Limits.DEFAULT);
        List<String> purges = new java.util.concurrent.CopyOnWriteArrayList<>();
        hub.onCachePurge(message -> purges.add(text(message)));
        Worker a = worker(0, 1000);
        a.subscribe(1, ClusterHub.CACHE_PURGE_TOPIC);
        a.subscribe(2, "jcluster:other");
        a.subscribe(3, "news");

        // an app must not purge every host's cache, nor read what the parents tell each other
        a.send(new ClusterFrame.Publish(ClusterHub.CACHE_PURGE_TOPIC, bytes("=/from-a-worker")));
        a.send(new ClusterFrame.Publish("jcluster:other", bytes("x")));
        hub.publishCachePurge(bytes("=/own"));
        store.messages().publish(ClusterHub.CACHE_PURGE_TOPIC, bytes("=/from-another-host"), -1);
        a.send(new ClusterFrame.Publish("news", bytes("marker")));

        ClusterFrame.Message first = a.next(ClusterFrame.Message.class);
        assertEquals("news", first.topic(), "nothing on a reserved topic reaches a worker");
        assertEquals(List.of("=/from-another-host"), purges,
                "the hook gets other hosts' purges only: not a worker's, not this parent's own");
        assertEquals(1, hub.view().messagesPublished(), "the refused publishes are not counted as published");
    }

    @Test
    void unsubscribedTopicsAreNoLongerDelivered() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Worker a = worker(0, 1000);
        a.subscribe(1, "news");
        a.subscribe(2, "sport");
        a.send(new ClusterFrame.Unsubscribe(3, "news"));
        assertEquals(3, a.next(ClusterFrame.DoneReply.class).id());
        a.send(new ClusterFrame.Publish("news", bytes("missed")));
        a.send(new ClusterFrame.Publish("sport", bytes("goal")));
        assertEquals("goal", text(a.next(ClusterFrame.Message.class).message()));
    }

    @Test
    void eachPublishersMessagesArriveInTheOrderPublished() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Worker reader = worker(0, 1000);
        Worker one = worker(1, 1001);
        Worker two = worker(2, 1002);
        reader.subscribe(1, "t");
        int each = 1000;
        Thread first = new Thread(() -> publishNumbered(one, each));
        Thread second = new Thread(() -> publishNumbered(two, each));
        first.start();
        second.start();
        int[] next = new int[3];
        for (int i = 0; i < 2 * each; i++) {
            ClusterFrame.Message message = reader.next(ClusterFrame.Message.class);
            int sequence = ByteBuffer.wrap(message.message()).getInt();
            assertEquals(next[message.fromWorker()], sequence, "worker " + message.fromWorker() + "'s order");
            next[message.fromWorker()]++;
        }
        first.join();
        second.join();
        assertEquals(each, next[1]);
        assertEquals(each, next[2]);
    }

    @Test
    void aWorkerThatDoesNotReadDropsItsOwnCopiesOnlyAndStillGetsItsReplies() throws Exception {
        start(new Outbound.Limits(8, 1 << 20));
        Worker fast = worker(0, 1000);
        Worker slow = worker(1, 1001);
        fast.subscribe(1, "t");
        slow.subscribe(1, "t");
        slow.stopReading(); // from its next frame on, its connection is not read: the parent's writes to it block

        int count = 300;
        byte[] filler = new byte[32 * 1024];
        for (int i = 0; i < count; i++) {
            // one at a time (the publisher is its own reader): the fast worker's queue never holds more than one
            ByteBuffer.wrap(filler).putInt(i);
            fast.send(new ClusterFrame.Publish("t", filler.clone()));
            assertEquals(i, ByteBuffer.wrap(fast.next(ClusterFrame.Message.class).message()).getInt());
        }
        // a reply on the fast worker's connection comes after the hub handled every publish before it
        fast.send(new ClusterFrame.MapGet(2, "m", "k"));
        assertNull(fast.next(ClusterFrame.ValueReply.class).value());

        long dropped = hub.view().workers().get(1).droppedInParent();
        assertTrue(dropped > 0 && dropped < count, "dropped " + dropped);
        assertEquals(0, hub.view().workers().get(0).droppedInParent());
        assertEquals(dropped, hub.view().messagesDropped());

        // a request of the slow worker while its queue is full: the reply is queued, never dropped
        slow.send(new ClusterFrame.MapPut(7, "m", "k", bytes("v"), 0));
        slow.send(new ClusterFrame.MapGet(8, "m", "k"));
        slow.resumeReading();
        int messages = 0;
        int expected = 0;
        boolean put = false;
        ClusterFrame.ValueReply got = null;
        while (got == null) {
            ClusterFrame frame = slow.next(ClusterFrame.class);
            if (frame instanceof ClusterFrame.Message message) {
                int sequence = ByteBuffer.wrap(message.message()).getInt();
                assertTrue(sequence >= expected, "in order");
                expected = sequence + 1;
                messages++;
            } else if (frame instanceof ClusterFrame.DoneReply done) {
                assertEquals(7, done.id());
                put = true;
            } else {
                got = assertInstanceOf(ClusterFrame.ValueReply.class, frame);
            }
        }
        assertTrue(put);
        assertEquals(8, got.id());
        assertEquals("v", text(got.value()));
        // every message the slow worker did not get was counted as dropped for it
        while (messages < count - dropped) {
            slow.next(ClusterFrame.Message.class);
            messages++;
        }
        slow.assertNothingMore();
        assertEquals(count - dropped, messages);
    }

    @Test
    void mapRequestsAreAnsweredWithTheStoresResults() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Worker a = worker(0, 1000);
        a.send(new ClusterFrame.MapPut(1, "m", "k", bytes("one"), 0));
        assertEquals(1, a.next(ClusterFrame.DoneReply.class).id());
        a.send(new ClusterFrame.MapGet(2, "m", "k"));
        assertEquals("one", text(a.next(ClusterFrame.ValueReply.class).value()));
        a.send(new ClusterFrame.MapPutIfAbsent(3, "m", "k", bytes("two"), 0));
        assertEquals(new ClusterFrame.BooleanReply(3, false), a.next(ClusterFrame.BooleanReply.class));
        a.send(new ClusterFrame.MapCompareAndSet(4, "m", "k", bytes("one"), bytes("three")));
        assertEquals(new ClusterFrame.BooleanReply(4, true), a.next(ClusterFrame.BooleanReply.class));
        a.send(new ClusterFrame.MapRemove(5, "m", "k"));
        assertEquals(new ClusterFrame.BooleanReply(5, true), a.next(ClusterFrame.BooleanReply.class));
        a.send(new ClusterFrame.MapIncrement(6, "m", "n", 5));
        a.send(new ClusterFrame.MapIncrement(7, "m", "n", -2));
        assertEquals(new ClusterFrame.LongReply(6, 5), a.next(ClusterFrame.LongReply.class));
        assertEquals(new ClusterFrame.LongReply(7, 3), a.next(ClusterFrame.LongReply.class));

        ClusterHub.View view = hub.view();
        assertEquals(1L, view.mapOperations().get("get"));
        assertEquals(1L, view.mapOperations().get("put"));
        assertEquals(1L, view.mapOperations().get("putIfAbsent"));
        assertEquals(1L, view.mapOperations().get("compareAndSet"));
        assertEquals(1L, view.mapOperations().get("remove"));
        assertEquals(2L, view.mapOperations().get("increment"));
        assertEquals(1, view.mapEntries());
        assertEquals("test", view.store());
    }

    @Test
    void aStoreFailureComesBackAsAnErrorReplyWithItsMessage() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Worker a = worker(0, 1000);
        store.failWith = new StoreException("shared map 'm': no answer from the store within 5s");
        a.send(new ClusterFrame.MapGet(1, "m", "k"));
        assertEquals(new ClusterFrame.ErrorReply(1, "shared map 'm': no answer from the store within 5s"),
                a.next(ClusterFrame.ErrorReply.class));

        store.failWith = new IllegalStateException("internal detail");
        a.send(new ClusterFrame.MapIncrement(2, "m", "k", 1));
        ClusterFrame.ErrorReply generic = a.next(ClusterFrame.ErrorReply.class);
        assertEquals(2, generic.id());
        assertTrue(generic.message().startsWith("shared map 'm': the parent failed on increment"), generic.message());
        assertTrue(generic.message().contains("the parent's log has the details"), generic.message());
    }

    @Test
    void tooLargeValuesAndMessagesAreRefusedByTheParentToo() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Worker a = worker(0, 1000);
        a.subscribe(1, "t");
        a.send(new ClusterFrame.MapPut(2, "m", "k", new byte[MAX_MESSAGE + 1], 0));
        ClusterFrame.ErrorReply error = a.next(ClusterFrame.ErrorReply.class);
        assertEquals(2, error.id());
        assertTrue(error.message().contains("over max-message=" + MAX_MESSAGE), error.message());
        assertTrue(store.entries.isEmpty());

        a.send(new ClusterFrame.Publish("t", new byte[MAX_MESSAGE + 1]));
        a.send(new ClusterFrame.Publish("t", new byte[MAX_MESSAGE]));
        assertEquals(MAX_MESSAGE, a.next(ClusterFrame.Message.class).message().length);
        assertEquals(1, hub.view().messagesPublished());
    }

    @Test
    void eachWorkersLatestStatsAreShownUntilItLeaves() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Worker a = worker(0, 1000);
        a.subscribe(1, "t");
        assertEquals(-1, hub.view().workers().get(0).offloadThreads(), "nothing reported yet");
        a.send(new ClusterFrame.WorkerStats(2, 1, 3, 9, 100, 4));
        a.send(new ClusterFrame.WorkerStats(2, 2, 0, 11, 120, 5));
        a.subscribe(2, "u"); // the hub handled both reports before this reply
        ClusterHub.WorkerView shown = hub.view().workers().get(0);
        assertEquals(new ClusterHub.WorkerView(0, 1000, 2, 2, 0, 11, 0, 5), shown);
        parentEnds.get(1000L).close();
        waitFor(() -> hub.view().workers().isEmpty());
    }

    @Test
    void sessionCountsAreSummedOverWorkersAndKeptWhenAWorkerLeaves() throws Exception {
        start(Outbound.Limits.DEFAULT);
        store.entries.put(ClusterFrame.SessionCounts.MAP + "/ A", new byte[3]);
        store.entries.put(ClusterFrame.SessionCounts.MAP + "/ B", new byte[3]);
        store.entries.put("app/x", new byte[3]);
        store.evicted.put(ClusterFrame.SessionCounts.MAP, 4L);
        Worker a = worker(0, 1000);
        Worker b = worker(1, 1001);
        assertEquals(new ClusterHub.SessionsView(2, 4, ClusterFrame.SessionCounts.NONE), hub.sessions(),
                "records of map jcluster.sessions only; nothing reported yet");
        a.send(new ClusterFrame.WorkerStats(0, 0, 0, 0, 0, 0, new ClusterFrame.SessionCounts(1, 10, 2, 20, 0, 0, 0)));
        a.send(new ClusterFrame.WorkerStats(0, 0, 0, 0, 0, 0, new ClusterFrame.SessionCounts(5, 50, 6, 60, 1, 0, 2)));
        b.send(new ClusterFrame.WorkerStats(0, 0, 0, 0, 0, 0, new ClusterFrame.SessionCounts(3, 30, 3, 30, 0, 1, 0)));
        a.subscribe(1, "t"); // the hub handled a's reports before this reply
        b.subscribe(1, "t");
        assertEquals(new ClusterFrame.SessionCounts(8, 80, 9, 90, 1, 1, 2), hub.sessions().counts(),
                "each worker's latest report, summed");

        parentEnds.get(1000L).close(); // worker 0 exits: its counts stay in the totals
        waitFor(() -> hub.view().workers().size() == 1);
        Worker again = worker(0, 1002); // its replacement counts from 0
        again.send(new ClusterFrame.WorkerStats(0, 0, 0, 0, 0, 0, new ClusterFrame.SessionCounts(1, 10, 1, 10, 0, 0,
                0)));
        again.subscribe(1, "t");
        ClusterFrame.SessionCounts expected = new ClusterFrame.SessionCounts(9, 90, 10, 100, 1, 1, 2);
        waitFor(() -> hub.sessions().counts().equals(expected)); // the hub closes a leaving peer after removing it
        assertEquals(expected, hub.sessions().counts(), "the totals only grow across restarts");
    }

    @Test
    void everyWorkerLearnsTheWorkerCountWhenItJoinsAndWhenItChanges() throws Exception {
        start(Outbound.Limits.DEFAULT);
        AtomicInteger count = new AtomicInteger(2);
        hub.countWorkers(count::get);
        Worker a = worker(0, 1000);
        assertEquals(new ClusterFrame.Workers(2), a.next(ClusterFrame.Workers.class));
        count.set(3);
        hub.workerCountMayHaveChanged();
        hub.workerCountMayHaveChanged(); // unchanged: not sent again
        assertEquals(new ClusterFrame.Workers(3), a.next(ClusterFrame.Workers.class));
        Worker b = worker(1, 1001);
        assertEquals(new ClusterFrame.Workers(3), b.next(ClusterFrame.Workers.class));
        a.assertNothingMore();

        count.set(4); // scaled up: the new worker's joining is the first the hub hears of it
        Worker c = worker(2, 1002);
        for (Worker each : List.of(a, b, c)) {
            assertEquals(new ClusterFrame.Workers(4), each.next(ClusterFrame.Workers.class));
            each.assertNothingMore();
        }
        count.set(3); // scaled down: the leaving worker's connection ends
        parentEnds.get(1002L).close();
        for (Worker each : List.of(a, b)) {
            assertEquals(new ClusterFrame.Workers(3), each.next(ClusterFrame.Workers.class));
        }
    }

    /**
     * The supervisor calls the routing (and so the hub) while it holds its lock, and the count is read under that
     * lock: the hub must never wait for the count while a caller of its own may hold the supervisor's lock.
     */
    @Test
    void countingWorkersUnderTheSupervisorsLockFromTwoThreadsDoesNotDeadlock() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Object supervisorLock = new Object();
        AtomicInteger count = new AtomicInteger(2);
        hub.countWorkers(() -> {
            synchronized (supervisorLock) {
                return count.get();
            }
        });
        Worker a = worker(0, 1000);
        assertEquals(new ClusterFrame.Workers(2), a.next(ClusterFrame.Workers.class));
        count.set(3);
        Thread routingCallback;
        synchronized (supervisorLock) { // a routing callback of the supervisor (gone, admit) runs under its lock
            Thread connectionEnd = new Thread(hub::workerCountMayHaveChanged); // a worker's connection ended
            connectionEnd.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (connectionEnd.getState() != Thread.State.BLOCKED && connectionEnd.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            routingCallback = new Thread(hub::workerCountMayHaveChanged);
            routingCallback.start();
            routingCallback.join(5000);
            assertFalse(routingCallback.isAlive(), "the hub waited for the supervisor's lock: deadlock");
        }
        assertEquals(new ClusterFrame.Workers(3), a.next(ClusterFrame.Workers.class));
    }

    @Test
    void leadershipIsGrantedOverTheConnectionAndPassesOnWhenTheLeaderLeaves() throws Exception {
        start(Outbound.Limits.DEFAULT);
        Worker a = worker(0, 1000);
        Worker b = worker(1, 1001);
        a.subscribe(1, "t"); // both joined before they are admitted
        b.subscribe(1, "t");
        hub.leadership().admitted(0, 1000);
        hub.leadership().admitted(1, 1001);
        assertEquals(new ClusterFrame.Leadership(1, true), a.next(ClusterFrame.Leadership.class));
        assertEquals(0, hub.view().leader());

        hub.leadership().withdrawn(1000);
        assertEquals(new ClusterFrame.Leadership(1, false), a.next(ClusterFrame.Leadership.class));
        b.assertNothingMore();
        a.send(new ClusterFrame.LeadershipReleased(1));
        assertEquals(new ClusterFrame.Leadership(2, true), b.next(ClusterFrame.Leadership.class));
        assertEquals(1, hub.view().leader());

        parentEnds.get(1001L).close(); // the leader's connection ends: nobody else is ready
        waitFor(() -> hub.view().leader() == -1);
    }

    // ---- a worker's end of the control connection

    private static void publishNumbered(Worker from, int count) {
        for (int i = 0; i < count; i++) {
            from.send(new ClusterFrame.Publish("t", ByteBuffer.allocate(4).putInt(i).array()));
        }
    }

    private Worker worker(int id, long pid) throws IOException {
        Worker worker = new Worker(ControlClient.connect(server.socketPath(), id, pid, server.secret()));
        return worker;
    }

    private static final class Worker {
        final ControlClient client;
        final BlockingQueue<ClusterFrame> received = new LinkedBlockingQueue<>();
        volatile CountDownLatch paused;

        Worker(ControlClient client) {
            this.client = client;
            client.listen(message -> {
                CountDownLatch latch = paused;
                if (latch != null) {
                    try {
                        latch.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                received.add(((ControlMessage.Cluster) message).frame());
            }, () -> { });
        }

        void send(ClusterFrame frame) {
            try {
                client.send(new ControlMessage.Cluster(frame));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void subscribe(long id, String topic) throws InterruptedException {
            send(new ClusterFrame.Subscribe(id, topic));
            assertEquals(new ClusterFrame.DoneReply(id), next(ClusterFrame.DoneReply.class));
        }

        <T extends ClusterFrame> T next(Class<T> type) throws InterruptedException {
            ClusterFrame frame = received.poll(10, TimeUnit.SECONDS);
            assertNotNull(frame, "no " + type.getSimpleName() + " within 10s");
            return assertInstanceOf(type, frame);
        }

        void assertNothingMore() throws InterruptedException {
            ClusterFrame frame = received.poll(200, TimeUnit.MILLISECONDS);
            assertNull(frame, () -> "unexpected " + frame);
        }

        void stopReading() {
            paused = new CountDownLatch(1);
        }

        void resumeReading() {
            paused.countDown();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 10s");
            Thread.sleep(10);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Admits every worker, keeping the parent's end of its connection (closing it is the worker going away). */
    private ControlListener.Session accept(int workerId, long pid, ControlConnection toWorker) {
        parentEnds.put(pid, toWorker);
        return new SilentSession();
    }
}
