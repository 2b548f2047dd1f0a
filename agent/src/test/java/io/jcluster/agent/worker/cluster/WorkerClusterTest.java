package io.jcluster.agent.worker.cluster;

import io.jcluster.ClusterException;
import io.jcluster.SharedMap;
import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ControlConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker's Cluster API against a fake parent on the other end of a real control connection (unix socket): the
 * frames it sends for each call, how it takes the parent's answers, messages and leadership, and what it does when
 * the parent is slow, refuses, or is gone.
 */
@Timeout(60)
class WorkerClusterTest {

    private static final byte[] VALUE = "v\u00e9".getBytes(StandardCharsets.UTF_8);

    private FakeParent parent;

    @AfterEach
    void stop() throws Exception {
        if (parent != null) {
            parent.close();
        }
    }

    private WorkerCluster start() throws Exception {
        return start(Duration.ofSeconds(30), 1024);
    }

    private WorkerCluster start(Duration timeout, long maxMessage) throws Exception {
        parent = FakeParent.start(timeout, maxMessage, Subscriptions.QUEUE, 10_000);
        return parent.cluster;
    }

    // ---- shared maps

    @Test
    void eachMapOperationIsOneRequestAndItsReply() throws Exception {
        SharedMap map = start().map("sessions");
        assertEquals("sessions", map.name());

        CompletableFuture<byte[]> get = async(() -> map.get("k\u00e9y"));
        ClusterFrame.MapGet mapGet = parent.next(ClusterFrame.MapGet.class);
        assertEquals("sessions", mapGet.map());
        assertEquals("k\u00e9y", mapGet.key());
        parent.send(new ClusterFrame.ValueReply(mapGet.id(), VALUE));
        assertArrayEquals(VALUE, result(get));

        CompletableFuture<byte[]> absent = async(() -> map.get("none"));
        parent.send(new ClusterFrame.ValueReply(parent.next(ClusterFrame.MapGet.class).id(), null));
        assertNull(result(absent));

        CompletableFuture<Void> put = run(() -> map.put("k", VALUE));
        ClusterFrame.MapPut mapPut = parent.next(ClusterFrame.MapPut.class);
        assertArrayEquals(VALUE, mapPut.value());
        assertEquals(0, mapPut.ttlMillis(), "no ttl: 0");
        parent.send(new ClusterFrame.DoneReply(mapPut.id()));
        result(put);

        CompletableFuture<Void> putTtl = run(() -> map.put("k", "text", Duration.ofMillis(1500)));
        ClusterFrame.MapPut mapPutTtl = parent.next(ClusterFrame.MapPut.class);
        assertEquals(1500, mapPutTtl.ttlMillis());
        assertEquals("text", new String(mapPutTtl.value(), StandardCharsets.UTF_8));
        parent.send(new ClusterFrame.DoneReply(mapPutTtl.id()));
        result(putTtl);

        CompletableFuture<Boolean> putIfAbsent = async(() -> map.putIfAbsent("k", VALUE));
        ClusterFrame.MapPutIfAbsent mapPutIfAbsent = parent.next(ClusterFrame.MapPutIfAbsent.class);
        assertEquals(0, mapPutIfAbsent.ttlMillis());
        parent.send(new ClusterFrame.BooleanReply(mapPutIfAbsent.id(), true));
        assertTrue(result(putIfAbsent));

        CompletableFuture<Boolean> putIfAbsentTtl = async(() -> map.putIfAbsent("k", VALUE, Duration.ofSeconds(2)));
        ClusterFrame.MapPutIfAbsent mapPutIfAbsentTtl = parent.next(ClusterFrame.MapPutIfAbsent.class);
        assertEquals(2000, mapPutIfAbsentTtl.ttlMillis());
        parent.send(new ClusterFrame.BooleanReply(mapPutIfAbsentTtl.id(), false));
        assertFalse(result(putIfAbsentTtl));

        CompletableFuture<Boolean> remove = async(() -> map.remove("k"));
        ClusterFrame.MapRemove mapRemove = parent.next(ClusterFrame.MapRemove.class);
        assertEquals("k", mapRemove.key());
        parent.send(new ClusterFrame.BooleanReply(mapRemove.id(), true));
        assertTrue(result(remove));

        CompletableFuture<Boolean> cas = async(() -> map.compareAndSet("k", null, VALUE));
        ClusterFrame.MapCompareAndSet mapCas = parent.next(ClusterFrame.MapCompareAndSet.class);
        assertNull(mapCas.expected(), "null expected: only if absent");
        assertArrayEquals(VALUE, mapCas.update());
        parent.send(new ClusterFrame.BooleanReply(mapCas.id(), true));
        assertTrue(result(cas));

        CompletableFuture<Long> increment = async(() -> map.increment("visits", -5));
        ClusterFrame.MapIncrement mapIncrement = parent.next(ClusterFrame.MapIncrement.class);
        assertEquals(-5, mapIncrement.delta());
        parent.send(new ClusterFrame.LongReply(mapIncrement.id(), 37));
        assertEquals(37L, result(increment));
    }

    @Test
    void repliesFindTheirCallerByIdInAnyOrder() throws Exception {
        SharedMap map = start().map("m");
        CompletableFuture<Long> first = async(() -> map.increment("a", 1));
        ClusterFrame.MapIncrement a = parent.next(ClusterFrame.MapIncrement.class);
        CompletableFuture<Long> second = async(() -> map.increment("b", 1));
        ClusterFrame.MapIncrement b = parent.next(ClusterFrame.MapIncrement.class);
        assertTrue(a.id() != b.id());
        parent.send(new ClusterFrame.LongReply(b.id(), 2));
        assertEquals(2L, result(second));
        assertFalse(first.isDone());
        parent.send(new ClusterFrame.LongReply(a.id(), 1));
        assertEquals(1L, result(first));
        // a reply nobody waits for is dropped
        parent.send(new ClusterFrame.LongReply(a.id(), 99));
        parent.send(new ClusterFrame.DoneReply(123_456));
        CompletableFuture<Long> third = async(() -> map.increment("c", 1));
        parent.send(new ClusterFrame.LongReply(parent.next(ClusterFrame.MapIncrement.class).id(), 3));
        assertEquals(3L, result(third));
    }

    @Test
    void noAnswerWithinTheStoreTimeoutIsAClusterExceptionThatSaysWhatToCheck() throws Exception {
        SharedMap map = start(Duration.ofMillis(300), 1024).map("sessions");
        CompletableFuture<byte[]> get = async(() -> map.get("k"));
        ClusterFrame.MapGet request = parent.next(ClusterFrame.MapGet.class);
        ClusterException e = failure(get, ClusterException.class);
        assertEquals("shared map 'sessions': no answer from the store within 300ms (store=embedded: the parent is"
                + " overloaded or stopped; see its log, or raise store-timeout)", e.getMessage());
        assertEquals(0, parentRequests(), "the timed-out request is forgotten");
        // its late answer goes nowhere, and the next call gets its own
        parent.send(new ClusterFrame.ValueReply(request.id(), VALUE));
        CompletableFuture<byte[]> next = async(() -> map.get("k"));
        parent.send(new ClusterFrame.ValueReply(parent.next(ClusterFrame.MapGet.class).id(), null));
        assertNull(result(next));
    }

    @Test
    void anErrorReplyIsAClusterExceptionWithItsMessage() throws Exception {
        SharedMap map = start().map("counters");
        CompletableFuture<Long> increment = async(() -> map.increment("k", 1));
        parent.send(new ClusterFrame.ErrorReply(parent.next(ClusterFrame.MapIncrement.class).id(),
                "shared map 'counters': the value of 'k' is not a number"));
        assertEquals("shared map 'counters': the value of 'k' is not a number",
                failure(increment, ClusterException.class).getMessage());
    }

    @Test
    void aReplyOfTheWrongKindIsAClusterException() throws Exception {
        SharedMap map = start().map("m");
        CompletableFuture<Long> increment = async(() -> map.increment("k", 1));
        parent.send(new ClusterFrame.BooleanReply(parent.next(ClusterFrame.MapIncrement.class).id(), true));
        assertTrue(failure(increment, ClusterException.class).getMessage().contains("answered BooleanReply where"
                + " LongReply was due"));
    }

    @Test
    void whenTheParentIsGoneWaitingAndLaterCallsFailAtOnce() throws Exception {
        WorkerCluster cluster = start(Duration.ofSeconds(60), 1024);
        SharedMap map = cluster.map("m");
        CompletableFuture<byte[]> waiting = async(() -> map.get("a"));
        CompletableFuture<byte[]> waitingToo = async(() -> map.get("b"));
        parent.next(ClusterFrame.MapGet.class);
        parent.next(ClusterFrame.MapGet.class);
        long start = System.nanoTime();
        parent.die();
        assertTrue(failure(waiting, ClusterException.class).getMessage()
                .startsWith("shared map 'm': the parent is gone"));
        assertTrue(failure(waitingToo, ClusterException.class).getMessage().contains("the parent is gone"));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "not after the 60 s timeout");
        ClusterException later = assertThrows(ClusterException.class, () -> map.put("k", VALUE));
        assertTrue(later.getMessage().contains("the parent is gone"), later.getMessage());
        assertThrows(ClusterException.class, () -> cluster.publish("t", VALUE));
        assertThrows(ClusterException.class, () -> cluster.subscribe("t", message -> { }));
    }

    /**
     * The control connection is an interruptible channel: a thread that writes to it with its interrupt flag set (or
     * is interrupted while it writes) closes it, and a worker without its connection exits. App threads get
     * interrupted (a cancelled task, a server's timeout); their Cluster calls must cost at most the call.
     */
    @Test
    void anInterruptedAppThreadDoesNotCloseTheControlConnection() throws Exception {
        WorkerCluster cluster = start();
        SharedMap map = cluster.map("m");
        CompletableFuture<Void> publishing = run(() -> {
            Thread.currentThread().interrupt();
            cluster.publish("t", VALUE);
            assertTrue(Thread.currentThread().isInterrupted(), "the app's interrupt flag is left as it was");
        });
        result(publishing);
        assertArrayEquals(VALUE, parent.next(ClusterFrame.Publish.class).message());

        CompletableFuture<byte[]> interruptedGet = async(() -> {
            Thread.currentThread().interrupt();
            return map.get("interrupted");
        });
        ClusterException e = failure(interruptedGet, ClusterException.class);
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
        assertEquals("interrupted", parent.next(ClusterFrame.MapGet.class).key(), "sent, then given up");

        // the connection still carries requests and replies both ways
        CompletableFuture<byte[]> get = async(() -> map.get("k"));
        parent.send(new ClusterFrame.ValueReply(parent.next(ClusterFrame.MapGet.class).id(), VALUE));
        assertArrayEquals(VALUE, result(get));
    }

    /**
     * When the parent reads slower than the app publishes, frames wait in the worker up to 16 MiB, then the
     * publishing thread waits for room: interrupting it then neither closes the connection nor loses a message, and
     * its interrupt flag is kept for the app.
     */
    @Test
    void aPublisherWaitsForRoomWhenTheParentReadsSlowlyAndAnInterruptThenCostsNothing() throws Exception {
        int mebibyte = 1 << 20;
        WorkerCluster cluster = start(Duration.ofSeconds(30), mebibyte);
        parent.pauseReading();
        byte[] message = new byte[mebibyte];
        int count = 24; // more than the socket buffers hold
        CountDownLatch published = new CountDownLatch(count);
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                message[0] = (byte) i; // the app reuses its array: each message keeps what it had when published
                cluster.publish("t", message);
                published.countDown();
            }
            flagKept.set(Thread.currentThread().isInterrupted());
        }, "app-publisher");
        publisher.setDaemon(true);
        publisher.start();
        // the publisher waits in a selector (its state stays RUNNABLE): wait until it stops getting anywhere
        long waiting = -1;
        for (int tries = 0; tries < 100 && waiting != published.getCount(); tries++) {
            waiting = published.getCount();
            Thread.sleep(300);
        }
        assertTrue(waiting > 0, "the publisher waits for room: " + waiting + " to go");
        assertTrue(publisher.isAlive(), "the publisher waits for room");
        publisher.interrupt();
        Thread.sleep(200);
        assertEquals(waiting, published.getCount(), "an interrupt does not end the wait (nothing is lost)");
        parent.resumeReading();
        assertTrue(published.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < count; i++) {
            ClusterFrame.Publish frame = parent.next(ClusterFrame.Publish.class);
            assertEquals((byte) i, frame.message()[0], "message " + i + " as published, in order");
        }
        publisher.join(10_000);
        assertEquals(Boolean.TRUE, flagKept.get(), "the app's interrupt flag is kept");
        // the connection is intact
        SharedMap map = cluster.map("m");
        CompletableFuture<Long> increment = async(() -> map.increment("k", 1));
        parent.send(new ClusterFrame.LongReply(parent.next(ClusterFrame.MapIncrement.class).id(), 1));
        assertEquals(1L, result(increment));
    }

    @Test
    void argumentsAreCheckedBeforeAnythingIsSent() throws Exception {
        WorkerCluster cluster = start(Duration.ofSeconds(30), 16);
        assertThrows(IllegalArgumentException.class, () -> cluster.map("no spaces"));
        assertThrows(IllegalArgumentException.class, () -> cluster.map(""));
        assertThrows(NullPointerException.class, () -> cluster.map(null));
        SharedMap map = cluster.map("m");
        assertThrows(IllegalArgumentException.class, () -> map.get(""));
        assertThrows(IllegalArgumentException.class, () -> map.get("k".repeat(1025)));
        assertThrows(IllegalArgumentException.class, () -> map.get("\ud800"));
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> map.put("k", new byte[17]));
        assertTrue(big.getMessage().contains("of 17 bytes is over max-message=16"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> map.put("k", VALUE, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> map.putIfAbsent("k", new byte[17], null));
        assertThrows(IllegalArgumentException.class, () -> map.compareAndSet("k", new byte[17], VALUE));
        assertThrows(IllegalArgumentException.class, () -> map.compareAndSet("k", VALUE, new byte[17]));
        assertThrows(NullPointerException.class, () -> map.put("k", (byte[]) null));
        assertThrows(IllegalArgumentException.class, () -> cluster.publish("t", new byte[17]));
        assertThrows(IllegalArgumentException.class, () -> cluster.publish("a/b", VALUE));
        assertThrows(IllegalArgumentException.class, () -> cluster.subscribe("a b", message -> { }));
        assertThrows(NullPointerException.class, () -> cluster.subscribe("t", null));
        parent.expectNothing(300);
    }

    /** Both values of a compareAndSet travel in one frame: together they may not exceed what one frame carries. */
    @Test
    void aCompareAndSetTooLargeForOneFrameIsRefusedBeforeSending() throws Exception {
        long eightMiB = 8L << 20;
        SharedMap map = start(Duration.ofSeconds(30), eightMiB).map("m");
        byte[] large = new byte[5 << 20];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> map.compareAndSet("k", large, large));
        assertTrue(e.getMessage().contains("more than one control frame carries"), e.getMessage());
        parent.expectNothing(300);
        // each alone fits
        CompletableFuture<Boolean> cas = async(() -> map.compareAndSet("k", null, large));
        ClusterFrame.MapCompareAndSet frame = parent.next(ClusterFrame.MapCompareAndSet.class);
        assertEquals(large.length, frame.update().length);
        parent.send(new ClusterFrame.BooleanReply(frame.id(), true));
        assertTrue(result(cas));
        assertTrue(ControlConnection.MAX_CLUSTER_FRAME < 2 * large.length);
    }

    // ---- messages

    @Test
    void subscribeAsksTheParentOncePerTopicAndMessagesArriveInOrder() throws Exception {
        WorkerCluster cluster = start();
        List<String> first = Collections.synchronizedList(new ArrayList<>());
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<AutoCloseable> subscribing = async(() -> cluster.subscribe("chat", message -> {
            first.add(new String(message, StandardCharsets.UTF_8));
            threads.add(Thread.currentThread().getName());
        }));
        ClusterFrame.Subscribe subscribe = parent.next(ClusterFrame.Subscribe.class);
        assertEquals("chat", subscribe.topic());
        Thread.sleep(100);
        assertFalse(subscribing.isDone(), "subscribe waits for the parent's answer");
        parent.send(new ClusterFrame.DoneReply(subscribe.id()));
        AutoCloseable firstHandle = result(subscribing);

        List<String> second = Collections.synchronizedList(new ArrayList<>());
        AutoCloseable secondHandle = cluster.subscribe("chat", message -> second.add(new String(message,
                StandardCharsets.UTF_8)));
        parent.expectNothing(200); // the parent knows the topic already

        cluster.publish("chat", "from the app".getBytes(StandardCharsets.UTF_8));
        ClusterFrame.Publish publish = parent.next(ClusterFrame.Publish.class);
        assertEquals("chat", publish.topic());
        assertEquals("from the app", new String(publish.message(), StandardCharsets.UTF_8));

        int count = 1000;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add("m" + i);
            parent.send(new ClusterFrame.Message("chat", ("m" + i).getBytes(StandardCharsets.UTF_8), i % 4));
            if (i == 10) {
                parent.send(new ClusterFrame.Message("other", VALUE, 0)); // not subscribed: not delivered
            }
        }
        awaitSize(first, count);
        awaitSize(second, count);
        assertEquals(expected, first);
        assertEquals(expected, second);
        assertTrue(threads.stream().allMatch("jcluster-messages"::equals), threads.get(0));
        awaitCondition(() -> cluster.stats().delivered() == count);

        firstHandle.close();
        parent.expectNothing(200); // another handler still listens
        CompletableFuture<Void> closing = run(() -> close(secondHandle));
        ClusterFrame.Unsubscribe unsubscribe = parent.next(ClusterFrame.Unsubscribe.class);
        assertEquals("chat", unsubscribe.topic());
        parent.send(new ClusterFrame.DoneReply(unsubscribe.id()));
        result(closing);
        close(secondHandle); // again: nothing
        parent.send(new ClusterFrame.Message("chat", VALUE, 0));
        parent.expectNothing(200);
        assertEquals(count, first.size());
        assertEquals(count, second.size());
    }

    @Test
    void aSubscribeTheParentRefusesIsAClusterExceptionAndRegistersNothing() throws Exception {
        WorkerCluster cluster = start();
        List<byte[]> received = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<AutoCloseable> subscribing = async(() -> cluster.subscribe("t", received::add));
        parent.send(new ClusterFrame.ErrorReply(parent.next(ClusterFrame.Subscribe.class).id(), "no"));
        assertEquals("no", failure(subscribing, ClusterException.class).getMessage());
        parent.send(new ClusterFrame.Message("t", VALUE, 0));
        // a request answered after that message: the worker reads in order, so once it returns the message was
        // handled (dropped: nothing is registered); without it the next subscribe could register its handler
        // before the message is read, and get it
        CompletableFuture<byte[]> barrier = async(() -> cluster.map("m").get("k"));
        parent.send(new ClusterFrame.ValueReply(parent.next(ClusterFrame.MapGet.class).id(), null));
        assertNull(result(barrier));
        // the next subscribe asks again
        CompletableFuture<AutoCloseable> again = async(() -> cluster.subscribe("t", received::add));
        parent.send(new ClusterFrame.DoneReply(parent.next(ClusterFrame.Subscribe.class).id()));
        result(again);
        parent.send(new ClusterFrame.Message("t", "after".getBytes(StandardCharsets.UTF_8), 0));
        awaitSize(received, 1);
        assertEquals("after", new String(received.get(0), StandardCharsets.UTF_8));
    }

    @Test
    void aSubscriberThatThrowsIsLoggedAndDeliveryGoesOn() throws Exception {
        WorkerCluster cluster = start();
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        AutoCloseable throwing = subscribed(cluster, "chat", message -> {
            if (new String(message, StandardCharsets.UTF_8).equals("boom")) {
                throw new IllegalStateException("boom");
            }
        });
        cluster.subscribe("chat", message -> received.add(new String(message, StandardCharsets.UTF_8)));
        for (String text : List.of("a", "boom", "b")) {
            parent.send(new ClusterFrame.Message("chat", text.getBytes(StandardCharsets.UTF_8), 1));
        }
        awaitSize(received, 3);
        assertEquals(List.of("a", "boom", "b"), received, "the other handler and later messages still run");
        String line = parent.nextLog();
        assertTrue(line.startsWith("[jcluster] worker 3: subscriber of 'chat' threw java.lang.IllegalStateException:"
                + " boom at "), line);
        throwing.close();
    }

    @Test
    void eachHandlerGetsItsOwnBytesAndAClosedOneNoMoreDeliveries() throws Exception {
        WorkerCluster cluster = start();
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<AutoCloseable> third = new AtomicReference<>();
        subscribed(cluster, "t", message -> {
            seen.add("1:" + new String(message, StandardCharsets.UTF_8));
            message[0] = 'X'; // changes its own copy only
            if (third.get() != null) {
                close(third.get()); // closed before its turn for this very message
            }
        });
        cluster.subscribe("t", message -> seen.add("2:" + new String(message, StandardCharsets.UTF_8)));
        third.set(cluster.subscribe("t", message -> seen.add("3:" + new String(message, StandardCharsets.UTF_8))));
        parent.send(new ClusterFrame.Message("t", "abc".getBytes(StandardCharsets.UTF_8), 0));
        awaitSize(seen, 2);
        parent.send(new ClusterFrame.Message("t", "def".getBytes(StandardCharsets.UTF_8), 0));
        awaitSize(seen, 4);
        assertEquals(List.of("1:abc", "2:abc", "1:def", "2:def"), seen);
    }

    @Test
    void aHandlerThatInterruptsItsThreadDoesNotEndDelivery() throws Exception {
        WorkerCluster cluster = start();
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        subscribed(cluster, "t", message -> {
            seen.add(new String(message, StandardCharsets.UTF_8));
            Thread.currentThread().interrupt();
        });
        List<String> texts = List.of("a", "b", "c");
        for (int i = 0; i < texts.size(); i++) {
            parent.send(new ClusterFrame.Message("t", texts.get(i).getBytes(StandardCharsets.UTF_8), 0));
            awaitSize(seen, i + 1);
        }
        assertEquals(List.of("a", "b", "c"), seen);
    }

    /**
     * A subscriber that blocks holds back only this worker's delivery: the control connection keeps being read
     * (replies arrive), and once the delivery queue is full further messages are dropped and counted.
     */
    @Test
    void aBlockingSubscriberFillsTheQueueThenMessagesAreDroppedAndCounted() throws Exception {
        parent = FakeParent.start(Duration.ofSeconds(30), 1024, 5, 10_000);
        WorkerCluster cluster = parent.cluster;
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        subscribed(cluster, "t", message -> {
            received.add(new String(message, StandardCharsets.UTF_8));
            blocked.countDown();
            await(release);
        });
        parent.send(new ClusterFrame.Message("t", "m0".getBytes(StandardCharsets.UTF_8), 0));
        assertTrue(blocked.await(10, TimeUnit.SECONDS));
        for (int i = 1; i < 20; i++) {
            parent.send(new ClusterFrame.Message("t", ("m" + i).getBytes(StandardCharsets.UTF_8), 0));
        }
        // the connection is still read: a map call gets its answer while the subscriber blocks
        SharedMap map = cluster.map("m");
        CompletableFuture<Long> increment = async(() -> map.increment("k", 1));
        parent.send(new ClusterFrame.LongReply(parent.next(ClusterFrame.MapIncrement.class).id(), 1));
        assertEquals(1L, result(increment));
        assertEquals(14, cluster.stats().droppedInWorker(), "m1..m5 wait in the queue of 5; m6..m19 are dropped");
        cluster.sendStats(ClusterFrame.SessionCounts.NONE);
        ClusterFrame.WorkerStats stats = parent.next(ClusterFrame.WorkerStats.class);
        assertEquals(14, stats.droppedInWorker());

        release.countDown();
        awaitSize(received, 6);
        assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5"), received);
        awaitCondition(() -> cluster.stats().delivered() == 6);
        parent.send(new ClusterFrame.Message("t", "later".getBytes(StandardCharsets.UTF_8), 0));
        awaitSize(received, 7);
    }

    /** The queue is bounded in bytes too: 10,000 messages of 8 MiB would not fit any heap. */
    @Test
    void theDeliveryQueueIsBoundedInBytes() throws Exception {
        parent = FakeParent.start(Duration.ofSeconds(30), 4096, 1000, 10_000, 10_000);
        WorkerCluster cluster = parent.cluster;
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> received = Collections.synchronizedList(new ArrayList<>());
        subscribed(cluster, "t", message -> {
            received.add(message.length);
            blocked.countDown();
            await(release);
        });
        parent.send(new ClusterFrame.Message("t", new byte[4096], 0));
        assertTrue(blocked.await(10, TimeUnit.SECONDS));
        for (int i = 0; i < 10; i++) {
            parent.send(new ClusterFrame.Message("t", new byte[4000], 0)); // 2 fit in 10,000 bytes
        }
        parent.send(new ClusterFrame.Message("t", new byte[2000], 0)); // fits next to them
        parent.send(new ClusterFrame.Message("t", new byte[1], 0));    // does not
        awaitCondition(() -> cluster.stats().droppedInWorker() == 9);
        release.countDown();
        awaitSize(received, 4);
        assertEquals(List.of(4096, 4000, 4000, 2000), received);
        // drained: the queue takes messages again, and one larger than the whole bound when it is empty
        parent.send(new ClusterFrame.Message("t", new byte[12_000], 0));
        awaitSize(received, 5);
        assertEquals(12_000, received.get(4));
        assertEquals(9, cluster.stats().droppedInWorker());
    }

    // ---- leadership

    @Test
    void grantRunsGainedAndRevokeRunsLostBeforeTheAck() throws Exception {
        WorkerCluster cluster = start();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        cluster.onLeadership(() -> events.add("gained 1 on " + Thread.currentThread().getName()),
                () -> events.add("lost 1"));
        assertFalse(cluster.isLeader());
        Thread.sleep(100);
        assertEquals(List.of(), events, "not the leader: gained does not run at registration");

        parent.send(new ClusterFrame.Leadership(7, true));
        awaitSize(events, 1);
        assertEquals("gained 1 on jcluster-leadership", events.get(0));
        assertTrue(cluster.isLeader());
        // registered while the leader: told at once
        AutoCloseable second = cluster.onLeadership(() -> events.add("gained 2"), () -> events.add("lost 2"));
        awaitSize(events, 2);
        assertEquals("gained 2", events.get(1));
        AutoCloseable third = cluster.onLeadership(() -> events.add("gained 3"), () -> events.add("lost 3"));
        awaitSize(events, 3);
        third.close();

        parent.send(new ClusterFrame.Leadership(7, false));
        ClusterFrame.LeadershipReleased released = parent.next(ClusterFrame.LeadershipReleased.class);
        assertEquals(7, released.epoch());
        assertEquals(List.of("gained 1 on jcluster-leadership", "gained 2", "gained 3", "lost 1", "lost 2"), events,
                "every lost ran before the ack; a closed registration hears nothing more");
        assertFalse(cluster.isLeader());
        second.close();
    }

    @Test
    void aLostCallbackThatThrowsIsLoggedAndTheAckStillGoes() throws Exception {
        WorkerCluster cluster = start();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        cluster.onLeadership(() -> { }, () -> {
            throw new IllegalStateException("job did not stop");
        });
        cluster.onLeadership(() -> { }, () -> events.add("lost"));
        parent.send(new ClusterFrame.Leadership(1, true));
        awaitCondition(cluster::isLeader);
        parent.send(new ClusterFrame.Leadership(1, false));
        assertEquals(1, parent.next(ClusterFrame.LeadershipReleased.class).epoch());
        assertEquals(List.of("lost"), events);
        String line = parent.nextLog();
        assertTrue(line.startsWith("[jcluster] worker 3: a leadership 'lost' callback threw"
                + " java.lang.IllegalStateException: job did not stop"), line);
    }

    @Test
    void aLostCallbackThatHangsDelaysTheAckOnlyUpToItsLimit() throws Exception {
        parent = FakeParent.start(Duration.ofSeconds(30), 1024, Subscriptions.QUEUE, 300);
        WorkerCluster cluster = parent.cluster;
        CountDownLatch release = new CountDownLatch(1);
        cluster.onLeadership(() -> { }, () -> await(release));
        parent.send(new ClusterFrame.Leadership(4, true));
        awaitCondition(cluster::isLeader);
        long start = System.nanoTime();
        parent.send(new ClusterFrame.Leadership(4, false));
        assertEquals(4, parent.next(ClusterFrame.LeadershipReleased.class).epoch());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "not before the limit");
        assertFalse(cluster.isLeader());
        String line = parent.nextLog();
        assertTrue(line.startsWith("[jcluster] worker 3: a leadership 'lost' callback still runs after 300 ms;"
                + " leadership released anyway"), line);
        release.countDown();
    }

    /**
     * A grant and its revoke that both arrive while the leadership thread is still busy: the worker never counts
     * itself the leader for it, no callback hears of it, and the ack still goes.
     */
    @Test
    void aGrantRevokedBeforeItsTurnNeverMakesTheLeader() throws Exception {
        parent = FakeParent.start(Duration.ofSeconds(30), 1024, Subscriptions.QUEUE, 300);
        WorkerCluster cluster = parent.cluster;
        CountDownLatch release = new CountDownLatch(1);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        cluster.onLeadership(() -> {
            events.add("gained");
            await(release);
        }, () -> events.add("lost"));
        parent.send(new ClusterFrame.Leadership(1, true));
        awaitSize(events, 1); // gained of epoch 1 hangs
        parent.send(new ClusterFrame.Leadership(1, false));
        awaitCondition(() -> !cluster.isLeader()); // while gained still hangs: a revoke takes effect at once
        assertEquals(1, parent.next(ClusterFrame.LeadershipReleased.class).epoch());
        parent.send(new ClusterFrame.Leadership(2, true));
        parent.send(new ClusterFrame.Leadership(2, false));
        assertEquals(2, parent.next(ClusterFrame.LeadershipReleased.class).epoch());
        assertFalse(cluster.isLeader());
        release.countDown();
        // the leadership thread handles frames in order: once epoch 3's gained ran, epoch 2's grant was passed over
        parent.send(new ClusterFrame.Leadership(3, true));
        awaitSize(events, 3);
        assertTrue(cluster.isLeader());
        parent.send(new ClusterFrame.Leadership(3, false));
        assertEquals(3, parent.next(ClusterFrame.LeadershipReleased.class).epoch());
        assertEquals(List.of("gained", "lost", "gained", "lost"), events, "epoch 2 was never told");
    }

    @Test
    void whenTheParentIsGoneTheLeaderStopsBeingOne() throws Exception {
        WorkerCluster cluster = start();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        cluster.onLeadership(() -> events.add("gained"), () -> events.add("lost"));
        parent.send(new ClusterFrame.Leadership(1, true));
        awaitCondition(cluster::isLeader);
        parent.die();
        awaitSize(events, 2);
        assertEquals(List.of("gained", "lost"), events);
        assertFalse(cluster.isLeader());
    }

    // ---- workers, stats, offload

    @Test
    void theWorkerCountFollowsTheParent() throws Exception {
        WorkerCluster cluster = start();
        assertEquals(3, cluster.workerId());
        assertEquals(4, cluster.workers());
        assertTrue(cluster.isWorker());
        parent.send(new ClusterFrame.Workers(7));
        awaitCondition(() -> cluster.workers() == 7);
        parent.send(new ClusterFrame.Workers(2));
        awaitCondition(() -> cluster.workers() == 2);
        assertEquals(3, cluster.workerId());
    }

    @Test
    void theOffloadPoolRunsTasksAndItsNumbersGoToTheParent() throws Exception {
        WorkerCluster cluster = start();
        ClusterFrame.WorkerStats before = cluster.stats();
        assertEquals(0, before.offloadThreads(), "no pool until the app asks for it");
        ExecutorService offload = cluster.offload();
        assertTrue(offload == cluster.offload(), "one pool per process");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<String> thread = new AtomicReference<>();
        offload.submit(() -> {
            thread.set(Thread.currentThread().getName());
            running.countDown();
            await(release);
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
        assertTrue(thread.get().startsWith("jcluster-offload-"), thread.get());
        assertThrows(UnsupportedOperationException.class, offload::shutdown);
        ClusterFrame.SessionCounts sessions = new ClusterFrame.SessionCounts(7, 700, 8, 800, 1, 2, 3);
        cluster.sendStats(sessions);
        ClusterFrame.WorkerStats stats = parent.next(ClusterFrame.WorkerStats.class);
        assertEquals(sessions, stats.sessions(), "the session store's counts ride along");
        assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 4), stats.offloadThreads());
        assertEquals(1, stats.offloadBusy());
        release.countDown();
    }

    @Test
    void framesMeantForTheParentAreIgnoredWithALogLine() throws Exception {
        WorkerCluster cluster = start();
        parent.send(new ClusterFrame.Publish("t", VALUE));
        assertEquals("[jcluster] worker 3: ignored a Publish frame from the parent: it is for parents", parent.nextLog());
        assertEquals(4, cluster.workers());
    }

    // ---- helpers

    private AutoCloseable subscribed(WorkerCluster cluster, String topic, java.util.function.Consumer<byte[]> handler)
            throws Exception {
        CompletableFuture<AutoCloseable> subscribing = async(() -> cluster.subscribe(topic, handler));
        parent.send(new ClusterFrame.DoneReply(parent.next(ClusterFrame.Subscribe.class).id()));
        return result(subscribing);
    }

    private int parentRequests() throws Exception {
        java.lang.reflect.Field requests = WorkerCluster.class.getDeclaredField("requests");
        requests.setAccessible(true);
        return ((Requests) requests.get(parent.cluster)).outstanding();
    }

    private static <T> CompletableFuture<T> async(Supplier<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(call.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "app-thread");
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    private static CompletableFuture<Void> run(Runnable call) {
        return async(() -> {
            call.run();
            return null;
        });
    }

    private static <T> T result(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static <E extends Throwable> E failure(CompletableFuture<?> future, Class<E> type) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        assertTrue(type.isInstance(e.getCause()), "expected " + type.getSimpleName() + ": " + e.getCause());
        return type.cast(e.getCause());
    }

    private static void close(AutoCloseable handle) {
        try {
            handle.close();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        awaitCondition(() -> list.size() >= size);
        assertEquals(size, list.size());
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 10 s");
            Thread.sleep(5);
        }
    }
}
