package io.jcluster.agent.worker.cluster;

import io.jcluster.ClusterException;
import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.spi.ApiChecks;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The app's subscribers in one worker. The parent is told once per topic: Subscribe when the topic gets its first
 * handler (the call waits for the parent's answer, so a message published after it returned is delivered), and
 * Unsubscribe when its last handler is closed. Messages from the parent wait in one bounded queue and run on one
 * daemon thread, "jcluster-messages", in the order they came: a handler that blocks delays only this worker's later
 * messages, and once the queue is full (10,000 messages or 16 MiB of them) further messages are dropped and counted (never blocking the thread that
 * reads the control connection, which also carries replies and leadership). A handler that throws is logged and
 * delivery goes on. Each handler gets its own copy of a message's bytes; once a subscription's close() returned, no
 * delivery to it starts.
 */
final class Subscriptions {

    /** Messages waiting for the delivery thread, at most. */
    static final int QUEUE = 10_000;
    /** Bytes of messages waiting for the delivery thread, at most: 10,000 of the largest would not fit any heap. */
    static final long QUEUE_BYTES = 16L << 20;

    private final Requests requests;
    private final Consumer<String> log;
    private final BlockingQueue<ClusterFrame.Message> queue;
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Each topic with its handlers; a topic is here from just before its Subscribe until its Unsubscribe. */
    private final Map<String, List<Subscriber>> topics = new ConcurrentHashMap<>();
    /** Held while a topic's first handler is added or its last removed: one Subscribe/Unsubscribe at a time. */
    private final ReentrantLock changes = new ReentrantLock();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    Subscriptions(Requests requests, Consumer<String> log, int capacity, long maxQueuedBytes) {
        this.requests = requests;
        this.log = log;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxQueuedBytes = maxQueuedBytes;
    }

    AutoCloseable subscribe(String topic, Consumer<byte[]> handler) {
        ApiChecks.topic(topic);
        Subscriber subscriber = new Subscriber(topic, Objects.requireNonNull(handler, "handler"));
        startDelivery();
        changes.lock();
        try {
            List<Subscriber> handlers = topics.get(topic);
            if (handlers != null) {
                handlers.add(subscriber);
                return subscriber;
            }
            // registered before the parent is asked, so that nothing it sends after its answer can miss it
            handlers = new CopyOnWriteArrayList<>(List.of(subscriber));
            topics.put(topic, handlers);
            try {
                requests.call("subscribe to '" + topic + "'", id -> new ClusterFrame.Subscribe(id, topic));
            } catch (RuntimeException e) {
                topics.remove(topic);
                throw e;
            }
            return subscriber;
        } finally {
            changes.unlock();
        }
    }

    /** A message from the parent, on the thread that reads the control connection: never blocks. */
    void received(ClusterFrame.Message message) {
        if (!topics.containsKey(message.topic()) || message.message() == null) {
            return; // the topic's last handler was closed while the parent still sent to it
        }
        int bytes = message.message().length;
        // only this thread adds, so the bound checked here holds; an empty queue takes any one message
        long queued = queuedBytes.get();
        if (queued > 0 && queued + bytes > maxQueuedBytes) {
            dropped.incrementAndGet();
            return;
        }
        queuedBytes.addAndGet(bytes);
        if (!queue.offer(message)) {
            queuedBytes.addAndGet(-bytes);
            dropped.incrementAndGet();
        }
    }

    /** Messages handed to this worker's handlers (a message counts once, however many handlers its topic has). */
    long delivered() {
        return delivered.get();
    }

    /** Messages dropped because the delivery queue was full. */
    long dropped() {
        return dropped.get();
    }

    private void unsubscribe(Subscriber subscriber) {
        changes.lock();
        try {
            List<Subscriber> handlers = topics.get(subscriber.topic);
            if (handlers == null || !handlers.remove(subscriber) || !handlers.isEmpty()) {
                return;
            }
            topics.remove(subscriber.topic);
            try {
                requests.call("unsubscribe from '" + subscriber.topic + "'",
                        id -> new ClusterFrame.Unsubscribe(id, subscriber.topic));
            } catch (ClusterException e) {
                // the handler is gone here either way; the parent's messages for the topic are ignored
                log.accept("unsubscribing from '" + subscriber.topic + "' failed: " + e.getMessage());
            }
        } finally {
            changes.unlock();
        }
    }

    private void startDelivery() {
        if (started.compareAndSet(false, true)) {
            Thread thread = new Thread(this::deliverForever, "jcluster-messages");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void deliverForever() {
        while (true) {
            ClusterFrame.Message message;
            try {
                message = queue.take();
            } catch (InterruptedException e) {
                continue; // a handler that interrupted its own thread must not end delivery for every other
            }
            queuedBytes.addAndGet(-message.message().length);
            List<Subscriber> handlers = topics.get(message.topic());
            if (handlers == null || handlers.isEmpty()) {
                continue;
            }
            Object[] to = handlers.toArray();
            for (int i = 0; i < to.length; i++) {
                // each handler gets its own array, so one that changes it cannot change what a later one sees
                ((Subscriber) to[i]).deliver(i == to.length - 1 ? message.message() : message.message().clone());
            }
            delivered.incrementAndGet();
        }
    }

    private final class Subscriber implements AutoCloseable {
        private final String topic;
        private final Consumer<byte[]> handler;
        private volatile boolean closed;

        Subscriber(String topic, Consumer<byte[]> handler) {
            this.topic = topic;
            this.handler = handler;
        }

        void deliver(byte[] message) {
            if (closed) {
                return; // closed after the message was taken: no delivery starts once close() returned
            }
            try {
                handler.accept(message);
            } catch (Throwable e) {
                // the app's bug must not stop other handlers or later messages
                log.accept("subscriber of '" + topic + "' threw " + e + where(e) + "; delivery goes on");
            }
        }

        @Override
        public void close() {
            closed = true;
            unsubscribe(this);
        }
    }

    private static String where(Throwable e) {
        StackTraceElement[] stack = e.getStackTrace();
        return stack.length == 0 ? "" : " at " + stack[0];
    }
}
