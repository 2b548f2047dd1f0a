package io.jcluster.spi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.jcluster.spi.ApiChecksTest.assertContains;
import static io.jcluster.spi.OffloadPoolTest.await;
import static io.jcluster.spi.OffloadPoolTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalMessagesTest {

    private final AtomicLong now = new AtomicLong();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
    private final LocalMessages messages = new LocalMessages(now::get, 256 * 1024, log);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        messages.stop();
    }

    @Test
    void aPublisherReceivesItsOwnMessagesInOrderOnTheDeliveryThread() throws Exception {
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Thread> deliveredOn = new AtomicReference<>();
        messages.subscribe("t", message -> {
            deliveredOn.set(Thread.currentThread());
            received.add(new String(message, StandardCharsets.UTF_8));
        });
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            sent.add("m" + i);
            messages.publish("t", ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        waitFor(() -> received.size() == 1000);
        assertEquals(sent, received);
        assertEquals("jcluster-messages", deliveredOn.get().getName());
        assertTrue(deliveredOn.get().isDaemon());
        assertEquals(1000, messages.delivered());
    }

    @Test
    void everySubscriberOfTheTopicAndNoOtherGetsItsOwnCopy() throws Exception {
        List<byte[]> first = new CopyOnWriteArrayList<>();
        List<byte[]> second = new CopyOnWriteArrayList<>();
        List<byte[]> other = new CopyOnWriteArrayList<>();
        messages.subscribe("t", message -> {
            first.add(message.clone());
            message[0] = 'X';
        });
        messages.subscribe("t", second::add);
        messages.subscribe("other", other::add);
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        messages.publish("t", message);
        message[0] = 'J';
        messages.publish("t", new byte[0]);
        waitFor(() -> second.size() == 2);
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), first.get(0), "changing the array after publish changes nothing");
        assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), second.get(0), "a handler that changes its array changes no other's");
        assertArrayEquals(new byte[0], second.get(1));
        assertEquals(List.of(), other);
        messages.publish("nobody-listens", new byte[1]);
    }

    @Test
    void aHandlerThatThrowsIsReportedAndDeliveryGoesOn() throws Exception {
        List<String> healthy = new CopyOnWriteArrayList<>();
        messages.subscribe("t", message -> {
            throw new IllegalStateException("handler bug " + new String(message, StandardCharsets.UTF_8));
        });
        messages.subscribe("t", message -> healthy.add(new String(message, StandardCharsets.UTF_8)));
        messages.publish("t", "a".getBytes(StandardCharsets.UTF_8));
        messages.publish("t", "b".getBytes(StandardCharsets.UTF_8));
        waitFor(() -> healthy.size() == 2);
        assertEquals(List.of("a", "b"), healthy);
        String text = logged.toString(StandardCharsets.UTF_8);
        assertContains(text, "[jcluster] subscriber of 't' threw java.lang.IllegalStateException: handler bug a");
        assertContains(text, "handler bug b");
    }

    @Test
    void aBlockedHandlerFillsTheQueueThenMessagesAreDroppedAndCountedButPublishNeverBlocks() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        messages.subscribe("t", message -> {
            entered.countDown();
            await(release);
            received.incrementAndGet();
        });
        messages.publish("t", new byte[1]);
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < LocalMessages.QUEUE_MESSAGES + 5; i++) {
                messages.publish("t", new byte[1]);
            }
        });
        assertEquals(5, messages.dropped());
        now.addAndGet(TimeUnit.SECONDS.toNanos(11));
        messages.publish("t", new byte[1]);
        assertEquals(6, messages.dropped());
        String text = logged.toString(StandardCharsets.UTF_8);
        assertContains(text, "[jcluster] messages: dropped 1 message(s) because the delivery queue is full (10000 waiting)");
        assertContains(text, "[jcluster] messages: dropped 5 message(s)");
        assertEquals(2, text.split("dropped").length - 1, "one line, then at most one per 10 s:\n" + text);

        release.countDown();
        waitFor(() -> received.get() == 1 + LocalMessages.QUEUE_MESSAGES);
        messages.publish("t", new byte[1]);
        waitFor(() -> received.get() == 2 + LocalMessages.QUEUE_MESSAGES);
        assertEquals(6, messages.dropped(), "once drained, nothing is dropped");
    }

    @Test
    void queuedBytesAreBoundedToo() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        messages.subscribe("t", message -> {
            entered.countDown();
            await(release);
        });
        messages.publish("t", new byte[256 * 1024]);
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        // 64 x 256 KiB = 16 MiB wait; more would be over the bound
        for (int i = 0; i < 70; i++) {
            messages.publish("t", new byte[256 * 1024]);
        }
        assertEquals(6, messages.dropped());
    }

    @Test
    void aClosedSubscriptionGetsNothingMoreEvenWhatWasAlreadyQueued() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        List<String> closedOne = new CopyOnWriteArrayList<>();
        List<String> after = new CopyOnWriteArrayList<>();
        messages.subscribe("t", message -> {
            entered.countDown();
            await(release);
        });
        AutoCloseable subscription = messages.subscribe("t", m -> closedOne.add(new String(m, StandardCharsets.UTF_8)));
        messages.publish("t", "queued".getBytes(StandardCharsets.UTF_8));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        subscription.close();
        subscription.close();
        messages.publish("t", "after close".getBytes(StandardCharsets.UTF_8));
        messages.subscribe("t", m -> after.add(new String(m, StandardCharsets.UTF_8)));
        messages.publish("t", "last".getBytes(StandardCharsets.UTF_8));
        release.countDown();
        waitFor(() -> after.size() == 1);
        assertEquals(List.of(), closedOne);
        assertEquals(List.of("last"), after, "a subscription gets what is published after subscribe returned");
    }

    @Test
    void aHandlerThatInterruptsItselfDoesNotEndDelivery() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        messages.subscribe("t", message -> {
            received.add(new String(message, StandardCharsets.UTF_8));
            Thread.currentThread().interrupt();
        });
        messages.publish("t", "1".getBytes(StandardCharsets.UTF_8));
        waitFor(() -> received.size() == 1);
        messages.publish("t", "2".getBytes(StandardCharsets.UTF_8));
        waitFor(() -> received.size() == 2);
    }

    @Test
    void badTopicsAndSizesAreRefused() {
        assertContains(assertThrows(IllegalArgumentException.class, () -> messages.publish("a b", new byte[1]))
                .getMessage(), "a topic is 1..200 characters");
        assertThrows(IllegalArgumentException.class, () -> messages.subscribe("", m -> { }));
        assertEquals("message of 262145 bytes is over max-message=256k (set max-message=257k or more to allow it)",
                assertThrows(IllegalArgumentException.class, () -> messages.publish("t", new byte[256 * 1024 + 1]))
                        .getMessage());
        assertThrows(NullPointerException.class, () -> messages.publish("t", null));
        assertThrows(NullPointerException.class, () -> messages.subscribe("t", null));
    }
}
