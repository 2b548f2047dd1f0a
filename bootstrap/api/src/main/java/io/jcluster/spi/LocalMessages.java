package io.jcluster.spi;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Messages within one process, delivered as a worker delivers them: {@code publish} only queues (it never waits for
 * a subscriber), and one daemon thread "jcluster-messages" runs every handler, in publish order. The queue holds at
 * most {@value #QUEUE_MESSAGES} messages and {@value #QUEUE_BYTES} bytes of them; when a handler is so slow that it
 * is full, further messages are dropped and counted, and a line on stderr says so (at most once per 10 s). A handler
 * that throws is reported on stderr and delivery goes on.
 *
 * <p>A message goes to the subscriptions that exist when it is published, minus those closed before it is delivered:
 * once {@code subscribe} returns, every later message reaches the handler; once {@code close} returns, no delivery to
 * it starts.
 */
final class LocalMessages {

    static final int QUEUE_MESSAGES = 10_000;
    /** The parent's bound for one worker's queued messages: the same here, so memory stays bounded too. */
    static final long QUEUE_BYTES = 16L * 1024 * 1024;
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Subscription[] NONE = new Subscription[0];

    private final LongSupplier nanoTime;
    private final long maxMessage;
    private final PrintStream log;
    private final BlockingQueue<Delivery> queue = new ArrayBlockingQueue<>(QUEUE_MESSAGES);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();

    /** Guarded by {@code this}; the arrays are never changed once published (copy on write). */
    private final Map<String, Subscription[]> subscriptions = new HashMap<>();
    private volatile boolean stopped;
    /** Guarded by {@code this}. */
    private Thread deliveryThread;
    /** Guarded by {@code this}. */
    private long lastDropLog;
    /** Guarded by {@code this}. */
    private long droppedAtLastLog;
    /** Guarded by {@code this}. */
    private boolean droppedBefore;

    LocalMessages(LongSupplier nanoTime, long maxMessage, PrintStream log) {
        this.nanoTime = nanoTime;
        this.maxMessage = maxMessage;
        this.log = log;
    }

    void publish(String topic, byte[] message) {
        ApiChecks.topic(topic);
        Objects.requireNonNull(message, "message");
        ApiChecks.size("message", message, maxMessage);
        Subscription[] to;
        synchronized (this) {
            to = subscriptions.getOrDefault(topic, NONE);
        }
        if (to.length == 0) {
            return;
        }
        Delivery delivery = new Delivery(topic, message.clone(), to);
        if (queuedBytes.addAndGet(message.length) > QUEUE_BYTES || !queue.offer(delivery)) {
            queuedBytes.addAndGet(-message.length);
            countDrop();
        }
    }

    AutoCloseable subscribe(String topic, Consumer<byte[]> handler) {
        ApiChecks.topic(topic);
        Objects.requireNonNull(handler, "handler");
        Subscription subscription = new Subscription(topic, handler);
        synchronized (this) {
            Subscription[] old = subscriptions.getOrDefault(topic, NONE);
            Subscription[] now = Arrays.copyOf(old, old.length + 1);
            now[old.length] = subscription;
            subscriptions.put(topic, now);
            if (deliveryThread == null) {
                deliveryThread = new Thread(this::deliverForever, "jcluster-messages");
                deliveryThread.setDaemon(true);
                deliveryThread.start();
            }
        }
        return subscription;
    }

    /** Ends the delivery thread: for tests, which create many; the process's lives as long as it does. */
    synchronized void stop() {
        stopped = true;
        if (deliveryThread != null) {
            deliveryThread.interrupt();
        }
    }

    long dropped() {
        return dropped.get();
    }

    long delivered() {
        return delivered.get();
    }

    private synchronized void unsubscribe(Subscription subscription) {
        Subscription[] old = subscriptions.get(subscription.topic);
        if (old == null) {
            return;
        }
        Subscription[] now = Arrays.stream(old).filter(s -> s != subscription).toArray(Subscription[]::new);
        if (now.length == 0) {
            subscriptions.remove(subscription.topic);
        } else {
            subscriptions.put(subscription.topic, now);
        }
    }

    private void countDrop() {
        long total = dropped.incrementAndGet();
        long now = nanoTime.getAsLong();
        synchronized (this) {
            if (droppedBefore && now - lastDropLog < DROP_LOG_INTERVAL_NANOS) {
                return;
            }
            log.println("[jcluster] messages: dropped " + (total - droppedAtLastLog) + " message(s) because the "
                    + "delivery queue is full (" + queue.size() + " waiting): a subscriber is slow or blocked; "
                    + "handlers run one at a time on the thread jcluster-messages, so hand long work to another "
                    + "thread (e.g. Cluster.offload())");
            droppedBefore = true;
            lastDropLog = now;
            droppedAtLastLog = total;
        }
    }

    private void deliverForever() {
        while (true) {
            Delivery delivery;
            try {
                delivery = queue.take();
            } catch (InterruptedException e) {
                // only stop() ends the thread: a handler that interrupted itself must not end delivery for all
                if (stopped) {
                    return;
                }
                continue;
            }
            queuedBytes.addAndGet(-delivery.message.length);
            Subscription[] to = delivery.to;
            for (int i = 0; i < to.length; i++) {
                Subscription subscription = to[i];
                if (subscription.closed) {
                    continue;
                }
                // each handler gets its own array, so one that changes it cannot change what a later one sees
                byte[] message = i == to.length - 1 ? delivery.message : delivery.message.clone();
                try {
                    subscription.handler.accept(message);
                    delivered.incrementAndGet();
                } catch (Throwable t) {
                    log.println("[jcluster] subscriber of '" + delivery.topic + "' threw " + t
                            + " (delivery goes on; catch it in the handler to handle it)");
                    t.printStackTrace(log);
                }
            }
        }
    }

    private record Delivery(String topic, byte[] message, Subscription[] to) {
    }

    private final class Subscription implements AutoCloseable {

        final String topic;
        final Consumer<byte[]> handler;
        volatile boolean closed;

        Subscription(String topic, Consumer<byte[]> handler) {
            this.topic = topic;
            this.handler = handler;
        }

        @Override
        public void close() {
            closed = true;
            unsubscribe(this);
        }

        @Override
        public String toString() {
            return "subscription to '" + topic + "'" + (closed ? " (closed)" : "");
        }
    }
}
