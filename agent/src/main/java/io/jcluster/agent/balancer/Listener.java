package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options.ProxyProtocol;
import io.jcluster.agent.log.Log;
import io.jcluster.bootstrap.ClientAddressTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/** One address the balancer listens on, with the backends that serve it. */
final class Listener implements Upstream {

    /** Per connection and direction, at most this much is buffered in the balancer before reading pauses. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    static final ChannelHandler UNTIL_CONNECTED = new Placeholder();
    private static final Log.RateLimited NOT_ADMITTED = new Log.RateLimited(5, TimeUnit.SECONDS);

    private final InetSocketAddress address;
    /** Read on every pick; replaced as a whole when the strategy changes at run time. */
    private volatile SelectionStrategy strategy;
    private final BackendSet backends = new BackendSet();
    private final ListenerStats stats;
    private final Bootstrap backendTemplate;
    /** A ready Bootstrap per event loop: cloning one per connection would copy its option maps every time. */
    private final FastThreadLocal<Bootstrap> backendBootstraps = new FastThreadLocal<>();
    private final ConnectionGate gate;
    /** Null unless backends that refuse are probed back in (the standalone balancer). */
    private final BackendProbe probe;
    /** Where backend connections publish their client (jcluster's workers read it); null for the standalone balancer. */
    private final ClientAddressTable clientAddresses;
    /** Whether each backend connection starts with a PROXY header naming its client (standalone balancer). */
    private final ProxyProtocol proxyProtocol;
    private Channel serverChannel;

    private Listener(InetSocketAddress address, SelectionStrategy strategy, Transport transport, ConnectionLimit limit,
                     BackendProbe probe, ClientAddressTable clientAddresses, ProxyProtocol proxyProtocol) {
        this.address = address;
        this.proxyProtocol = proxyProtocol;
        this.strategy = strategy;
        this.probe = probe;
        this.clientAddresses = clientAddresses;
        this.backendTemplate = backendBootstrap(transport, clientAddresses != null);
        this.stats = new ListenerStats(address);
        this.gate = new ConnectionGate(limit, stats);
    }

    /**
     * Binds {@code address} now, with {@code initial} already in rotation (a connection accepted the moment the
     * socket is bound has a backend to go to); throws the bind failure (e.g. the port is taken) to the caller.
     * With a {@code probe} (may be null), a backend that refuses a connection is handed to it. With
     * {@code clientAddresses} (may be null), each backend connection publishes its client there.
     */
    static Listener open(InetSocketAddress address, Collection<Backend> initial, SelectionStrategy strategy,
                         EventLoopGroup group, Transport transport, ChannelGroup connections, Frontend frontend,
                         ConnectionLimit limit, BackendProbe probe, ClientAddressTable clientAddresses,
                         ProxyProtocol proxyProtocol) throws IOException {
        Listener listener = new Listener(address, strategy, transport, limit, probe, clientAddresses, proxyProtocol);
        initial.forEach(listener.backends::add);
        ServerBootstrap server = new ServerBootstrap();
        transport.configure(server);
        accepting(server);
        ChannelFuture bound = server
                .group(group)
                .channelFactory(transport.serverChannels)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        connections.add(client);
                        listener.admit(client, frontend);
                    }
                })
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            throw cause instanceof IOException ? (IOException) cause : new IOException(cause.getMessage(), cause);
        }
        listener.serverChannel = bound.channel();
        return listener;
    }

    /**
     * How the listening socket accepts. Netty's default allocator for a server channel stops an epoll accept loop
     * after the first connection: it takes the accepted file descriptor for a byte count and reads "fewer bytes
     * than attempted" as "nothing more to accept". One accept per event-loop wake-up, on a loop that also relays
     * the connections already accepted, left 2,000 clients that connect at once waiting in the accept queue for
     * over 2 s (wrk timeouts; bench/c2000.sh, issue 18). Up to {@link #ACCEPT_BATCH} per wake-up, until the queue
     * is empty, as HAProxy's tune.maxaccept; io_uring's multishot accept was never limited this way.
     */
    static void accepting(ServerBootstrap server) {
        server.option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator()
                        .respectMaybeMoreData(false).maxMessagesPerRead(ACCEPT_BATCH));
    }

    static final int ACCEPT_BATCH = 64;

    private void admit(SocketChannel client, Frontend frontend) {
        stats.accepted();
        client.closeFuture().addListener(closed -> stats.closed());
        if (gate.pass(client)) {
            frontend.serve(client, this);
        } else {
            gate.admit(client, () -> frontend.serve(client, this), why -> {
                NOT_ADMITTED.info(describe() + ": turned a client away: " + why);
                frontend.reject(client, this, why);
            });
        }
    }

    @Override
    public Bootstrap connector(EventLoop loop) {
        Bootstrap bootstrap = backendBootstraps.get();
        if (bootstrap == null) {
            bootstrap = backendTemplate.clone(loop);
            backendBootstraps.set(bootstrap);
        }
        return bootstrap;
    }

    @Override
    public ChannelFuture connectShared(EventLoop loop, Backend backend) {
        // no client: the slot is published as one whose client is gone, which the worker neither shows nor counts
        return BackendConnector.connect(connector(loop), backend.address(), null, clientAddresses);
    }

    @Override
    public ChannelFuture connect(Channel client, Backend backend) {
        ChannelFuture connect = BackendConnector.connect(connector(client.eventLoop()), backend.address(),
                client.remoteAddress(), clientAddresses);
        if (proxyProtocol != ProxyProtocol.OFF) {
            connect.addListener((ChannelFutureListener) done -> {
                if (done.isSuccess()) {
                    // flushed at once: in tcp mode the backend may be the one to speak first, after the header
                    Channel channel = done.channel();
                    channel.writeAndFlush(ProxyHeader.encode(channel.alloc(), proxyProtocol, client.remoteAddress(),
                            client.localAddress()), channel.voidPromise());
                }
            });
        }
        return connect;
    }

    BackendSet backendSet() {
        return backends;
    }

    ListenerStats stats() {
        return stats;
    }

    @Override
    public Backend[] backends() {
        return backends.snapshot();
    }

    @Override
    public SelectionStrategy strategy() {
        return strategy;
    }

    void strategy(SelectionStrategy next) {
        strategy = next;
    }

    @Override
    public void connectFailed(Backend backend, Throwable cause) {
        boolean refused = cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException);
        if (refused && probe != null) {
            probe.down(backend, "connection refused");
        } else if (refused && backends.removeIf(b -> b == backend)) {
            Log.info(describe() + ": worker " + backend.owner() + " refused a connection on "
                    + describe(backend.address()) + "; taken out of rotation");
        }
    }

    @Override
    public void noBackendAvailable() {
        stats.refused();
    }

    @Override
    public void transferred(Backend backend, long fromClient, long toClient) {
        stats.transferred(fromClient, toClient);
        if (backend != null) {
            backend.transferred(fromClient, toClient);
        }
    }

    @Override
    public int port() {
        return address.getPort();
    }

    /** Clients waiting for a connection slot (max-connections), or 0. */
    int waiting() {
        return gate.waiting();
    }

    /** max-connections, max-queue and queue-timeout from now on (a SIGHUP); see {@link ConnectionGate#limit}. */
    void limit(ConnectionLimit next) {
        gate.limit(next);
    }

    void stopAccepting() {
        serverChannel.close().syncUninterruptibly();
    }

    @Override
    public String describe() {
        return describe(address);
    }

    /** How backend connections are made; a copy per event loop is kept in {@link #backendBootstraps}. */
    private static Bootstrap backendBootstrap(Transport transport, boolean publishClients) {
        Bootstrap bootstrap = new Bootstrap();
        transport.configure(bootstrap);
        if (publishClients) {
            // each binds a port it claimed; one an earlier connection left in TIME_WAIT must not refuse the bind
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
        }
        return bootstrap
                .handler(UNTIL_CONNECTED)
                .channelFactory(transport.clientChannels)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
    }

    /** Stands in a new backend channel's pipeline until the frontend puts its own handlers there. */
    @ChannelHandler.Sharable
    private static final class Placeholder extends ChannelInboundHandlerAdapter {
    }

    static String describe(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return describe();
    }
}
