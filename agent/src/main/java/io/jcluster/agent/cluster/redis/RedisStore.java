package io.jcluster.agent.cluster.redis;

import io.jcluster.agent.cluster.HostLease;
import io.jcluster.agent.cluster.MessageBus;
import io.jcluster.agent.cluster.SharedMaps;
import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.config.StoreLocation;
import io.jcluster.agent.config.StoreOptions;
import io.jcluster.agent.log.Log;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Cluster API's state in Redis ({@code store=redis://host:port/db}, {@code rediss://} for TLS), shared by every
 * jcluster host that names the same server: the maps as keys ({@link RedisMaps}), the messages on one pub/sub
 * channel ({@link RedisMessages}), the right to lead as a lease key ({@link RedisLease}).
 *
 * <p>Only the parent loads this (a worker talks to its parent over the control channel). Lettuce runs on its own two
 * small Netty event loop threads (the parent's balancer loops never wait on Redis), with two connections: one for
 * commands and publishing, one for the subscription. Nothing here blocks a caller: map calls answer with futures
 * that fail at once while Redis is unreachable and otherwise within {@code store-timeout}; publishing hands the
 * message to Lettuce or to a bounded buffer. When Redis is unreachable, at start or later, the parent runs on, logs
 * one line when it goes and one when it is back, and reconnects by itself.
 */
public final class RedisStore implements Store {

    /** Commands Lettuce may hold per connection before it refuses more (Redis slower than the callers). */
    static final int REQUEST_QUEUE = 10_000;

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final String kind;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService scheduler;
    private final RedisLink<StatefulRedisConnection<String, byte[]>> commands;
    private final RedisLink<StatefulRedisPubSubConnection<String, byte[]>> subscription;
    private final RedisMaps maps;
    private final RedisMessages messages;
    private final RedisLease lease;

    private final java.util.concurrent.atomic.AtomicBoolean versionChecked =
            new java.util.concurrent.atomic.AtomicBoolean();

    // guarded by this
    private boolean started;
    private boolean wasUp;
    private long downSince = System.nanoTime();

    private RedisStore(StoreOptions options, Duration leaseTtl, SslOptions tls) {
        StoreLocation location = options.location();
        if (location.embedded()) {
            throw new IllegalArgumentException("store=embedded is not a Redis store");
        }
        this.kind = location.uri();
        Duration timeout = options.timeout();
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(DefaultClientResources.MIN_IO_THREADS)
                .computationThreadPoolSize(DefaultClientResources.MIN_COMPUTATION_THREADS)
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .build();
        this.client = RedisClient.create(resources, uri(options));
        client.setOptions(ClientOptions.builder()
                // rediss://: the server's certificate and host name checked against the JVM's default trust store
                .sslOptions(tls)
                // RedisLink reconnects: one retry path for a first connection and a lost one, one log line each,
                // and a command in flight when the connection breaks fails instead of running again later
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(timeout)
                        .tcpNoDelay(true)
                        // a peer that vanished without a reset (a host gone, a cable pulled) is noticed in ~20 s
                        // while idle, not after the kernel's two hours
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable()
                                .idle(Duration.ofSeconds(10)).interval(Duration.ofSeconds(3)).count(3).build())
                        .build())
                .build());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "jcluster-redis");
            thread.setDaemon(true);
            return thread;
        });
        RedisURI uri = uri(options);
        this.commands = new RedisLink<>("commands", () -> client.connectAsync(CODEC, uri),
                connection -> connection.async().info("server").toCompletableFuture().handle((info, error) -> {
                    checkVersion(info);
                    return null;
                }), scheduler, this::linkChanged);
        UUID host = UUID.randomUUID();
        this.messages = new RedisMessages(commands, this::subscribed,
                host.getMostSignificantBits(), host.getLeastSignificantBits(),
                options.maxMessage(), kind);
        this.subscription = new RedisLink<>("messages", () -> client.connectPubSubAsync(CODEC, uri), connection -> {
            connection.addListener(messages);
            return connection.async().subscribe(RedisMessages.CHANNEL);
        }, scheduler, this::linkChanged);
        this.maps = new RedisMaps(commands, kind, timeout);
        this.lease = new RedisLease(commands, scheduler, leaseTtl, kind);
    }

    /**
     * Connects, waiting at most {@code store-timeout} for the first answer; when Redis does not answer, logs so and
     * returns anyway (the store keeps trying).
     *
     * @param options a Redis location, with the password the parent read from its environment (or none)
     */
    public static Store open(StoreOptions options) {
        return open(options, RedisLease.TTL);
    }

    static RedisStore open(StoreOptions options, Duration leaseTtl) {
        return open(options, leaseTtl, SslOptions.create());
    }

    /** @param tls how a {@code rediss://} connection checks the server (tests give their own trusted certificate) */
    static RedisStore open(StoreOptions options, Duration leaseTtl, SslOptions tls) {
        RedisStore store = new RedisStore(options, leaseTtl, tls);
        CompletableFuture<Void> first = CompletableFuture.allOf(store.commands.start().toCompletableFuture(),
                store.subscription.start().toCompletableFuture());
        try {
            first.get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // not up yet: said below, and the links go on trying
        }
        store.started();
        return store;
    }

    private static RedisURI uri(StoreOptions options) {
        StoreLocation location = options.location();
        RedisURI.Builder uri = RedisURI.Builder.redis(location.host(), location.port())
                .withDatabase(location.db())
                .withSsl(location.tls())
                .withTimeout(options.timeout());
        if (options.password() != null) {
            uri.withPassword(options.password().toCharArray());
        }
        return uri.build();
    }

    /**
     * compareAndSet keeps a time to live with {@code SET KEEPTTL}, which Redis has since 6.0: say so once, at
     * connect, rather than at the first call. (A server that refuses INFO is taken as it is.)
     */
    private void checkVersion(String info) {
        if (info == null || versionChecked.getAndSet(true)) {
            return;
        }
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                String version = line.substring("redis_version:".length()).trim();
                int major = Integer.parseInt(version.replaceAll("[^0-9].*", "").isEmpty() ? "0"
                        : version.replaceAll("[^0-9].*", ""));
                if (major < 6) {
                    Log.info("cluster store " + kind + " is Redis " + version + ": compareAndSet needs Redis 6.0 or"
                            + " later (SET KEEPTTL) and fails on this one; upgrade Redis");
                }
            }
        }
    }

    private synchronized void started() {
        started = true;
        wasUp = up();
        if (wasUp) {
            Log.info("cluster store " + kind + " connected");
        } else {
            Log.info(unreachableLine());
        }
    }

    private void linkChanged() {
        messages.linkChanged();
        lease.linkChanged();
        synchronized (this) {
            if (!started) {
                return;
            }
            boolean up = up();
            if (up == wasUp) {
                return;
            }
            wasUp = up;
            if (up) {
                Log.info("cluster store " + kind + " answers again (after "
                        + RedisMaps.text(Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()
                        - downSince))) + ")");
            } else {
                downSince = System.nanoTime();
                Log.info(unreachableLine());
            }
        }
    }

    private String unreachableLine() {
        return "cluster store " + kind + " unreachable (" + reason() + "); map calls fail until it answers;"
                + " retrying";
    }

    private boolean subscribed() {
        return subscription.up();
    }

    private boolean up() {
        return commands.up() && subscription.up();
    }

    private String reason() {
        if (!commands.up()) {
            return commands.reason();
        }
        return subscription.up() ? "connected" : "subscription: " + subscription.reason();
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public Health health() {
        return up() ? new Health(true, "connected") : new Health(false, "unreachable: " + reason());
    }

    @Override
    public SharedMaps maps() {
        return maps;
    }

    @Override
    public MessageBus messages() {
        return messages;
    }

    @Override
    public HostLease lease() {
        return lease;
    }

    /** Gives the lease up, closes both connections and stops Lettuce's threads (a few seconds at most). */
    @Override
    public void close() {
        lease.close();
        commands.close();
        subscription.close();
        try {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            Log.error("closing the cluster store " + kind, e);
        }
        scheduler.shutdownNow();
    }
}
