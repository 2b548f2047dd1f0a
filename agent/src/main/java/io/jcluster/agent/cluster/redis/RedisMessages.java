package io.jcluster.agent.cluster.redis;

import io.jcluster.agent.cluster.MessageBus;
import io.jcluster.agent.log.Log;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Messages through one Redis pub/sub channel, {@value #CHANNEL}, that every host's parent publishes to and
 * subscribes to once. The parent publishes only to Redis, even for its own workers: a message comes back through the
 * subscription like everyone else's, so each publisher's messages reach every host, this one included, in one order
 * (one connection to publish on, one to receive on, both FIFO).
 *
 * <p>While either connection is down, messages wait in a bounded buffer (at most {@value #BUFFERED_MESSAGES}
 * messages and {@value #BUFFERED_BYTES} bytes) and go out in order when it is back; beyond it they are dropped and
 * counted. A message Redis did not accept, or a value on the channel that is not a jcluster envelope, is dropped and
 * counted too. Messages published while this host's subscription is down are missed by it (at-most-once).
 */
final class RedisMessages extends RedisPubSubAdapter<String, byte[]> implements MessageBus {

    static final String CHANNEL = "jcluster:messages";
    static final int BUFFERED_MESSAGES = 10_000;
    static final long BUFFERED_BYTES = 16L << 20;

    private final RedisLink<StatefulRedisConnection<String, byte[]>> link;
    private final BooleanSupplier subscribed;
    private final long hostHigh;
    private final long hostLow;
    private final long maxMessage;
    private final String store;

    private final ArrayDeque<byte[]> buffered = new ArrayDeque<>();
    private long bufferedBytes;
    private final LongAdder dropped = new LongAdder();
    private final Log.RateLimited dropLog = new Log.RateLimited(10, TimeUnit.SECONDS);
    private volatile Sink sink;

    /**
     * @param link       the command connection, that publishes
     * @param subscribed whether this host's subscription is up: until it is, messages wait (so that this host's
     *                   workers get their own messages after an outage too)
     */
    RedisMessages(RedisLink<StatefulRedisConnection<String, byte[]>> link, BooleanSupplier subscribed, long hostHigh,
                  long hostLow, long maxMessage, String store) {
        this.link = link;
        this.subscribed = subscribed;
        this.hostHigh = hostHigh;
        this.hostLow = hostLow;
        this.maxMessage = maxMessage;
        this.store = store;
    }

    @Override
    public void publish(String topic, byte[] message, int fromWorker) {
        byte[] envelope = new MessageEnvelope(hostHigh, hostLow, fromWorker, topic, message).encode();
        synchronized (buffered) {
            StatefulRedisConnection<String, byte[]> connection = usable();
            if (connection != null) {
                sendBuffered(connection);
                if (buffered.isEmpty()) {
                    send(connection, envelope);
                    return;
                }
            }
            if (buffered.size() < BUFFERED_MESSAGES && bufferedBytes + envelope.length <= BUFFERED_BYTES) {
                buffered.add(envelope);
                bufferedBytes += envelope.length;
            } else {
                drop("store=" + store + " is unreachable and " + buffered.size() + " messages wait for it");
            }
        }
    }

    private StatefulRedisConnection<String, byte[]> usable() {
        return subscribed.getAsBoolean() ? link.connection() : null;
    }

    /** Both connections are up again: what waited goes out first, in order. */
    void linkChanged() {
        StatefulRedisConnection<String, byte[]> connection = usable();
        if (connection != null) {
            synchronized (buffered) {
                sendBuffered(connection);
            }
        }
    }

    private void sendBuffered(StatefulRedisConnection<String, byte[]> connection) {
        while (!buffered.isEmpty()) {
            byte[] envelope = buffered.poll();
            bufferedBytes -= envelope.length;
            send(connection, envelope);
        }
    }

    /** Never blocks: Lettuce queues the command (bounded) for its event loop. */
    private void send(StatefulRedisConnection<String, byte[]> connection, byte[] envelope) {
        try {
            connection.async().publish(CHANNEL, envelope).whenComplete((receivers, error) -> {
                if (error != null) {
                    drop("store=" + store + " did not take it: " + RedisLink.describe(error));
                }
            });
        } catch (RuntimeException e) {
            drop("store=" + store + " did not take it: " + RedisLink.describe(e));
        }
    }

    private void drop(String why) {
        dropped.increment();
        dropLog.info("cluster messages dropped (" + dropped.sum() + " so far): " + why);
    }

    @Override
    public void deliverTo(Sink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    /** On Lettuce's event loop: decodes and hands on, never blocks (the sink queues per worker). */
    @Override
    public void message(String channel, byte[] value) {
        if (!CHANNEL.equals(channel)) {
            return;
        }
        MessageEnvelope envelope = MessageEnvelope.decode(value, maxMessage);
        if (envelope == null) {
            drop("a value on " + CHANNEL + " that is not a jcluster message (or over max-message=" + maxMessage
                    + ") was ignored");
            return;
        }
        Sink to = sink;
        if (to == null) {
            return; // no worker can have subscribed yet
        }
        boolean ours = envelope.hostHigh() == hostHigh && envelope.hostLow() == hostLow;
        try {
            to.deliver(envelope.topic(), envelope.payload(), ours ? envelope.worker() : -1);
        } catch (RuntimeException e) {
            drop("delivering a message of '" + envelope.topic() + "' failed: " + RedisLink.describe(e));
        }
    }
}
