package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.SelectionStrategy;
import io.jcluster.agent.balancer.TestUpstreams;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.config.TrustedProxies;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The listener side of exchange tests: workers whose connects hand out prepared EmbeddedChannels (or fail), in
 * order; records what the exchange told it. The strategy picks the first candidate.
 */
final class FakeUpstream implements Upstream {

    final Backend[] backends;
    /** What the next connects give: an EmbeddedChannel made by {@link #fresh}, or a Throwable (the connect fails). */
    final ArrayDeque<Object> connects = new ArrayDeque<>();
    final List<Backend> connectedTo = new ArrayList<>();
    final List<Backend> connectFailures = new ArrayList<>();
    int noBackendAvailable;
    long fromClient;
    long toClient;
    /** Set by the upgrade hand-off instead of a real tunnel: client, backend. */
    Channel[] tunnel;

    FakeUpstream(int workers) {
        backends = new Backend[workers];
        for (int i = 0; i < workers; i++) {
            backends[i] = new Backend(i, new InetSocketAddress("127.0.0.1", 9 + i));
        }
    }

    /** A backend channel for a connect to hand out: unregistered, as a Bootstrap wants it. */
    static EmbeddedChannel fresh() {
        return new EmbeddedChannel(DefaultChannelId.newInstance(), false, false);
    }

    static HttpSettings settings(Duration header, Duration idle, Duration response, Duration body, String sticky) {
        return settings(header, idle, response, body, Duration.ofSeconds(60), sticky);
    }

    static HttpSettings settings(Duration header, Duration idle, Duration response, Duration body, Duration send,
                                 String sticky) {
        return new HttpSettings(header, idle, response, body, send, Duration.ofSeconds(5), false,
                Stickiness.of(sticky), null, TrustedProxies.NONE, false);
    }

    static HttpSettings settings() {
        return settings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60),
                "off");
    }

    /** A client connection in http mode, with {@link Reads} first in its pipeline. */
    EmbeddedChannel client(HttpSettings settings, BackendConnectionPool pool) {
        UpgradeHandOff.Tunnels tunnels = (upstream, client, backend, lease) -> {
            tunnel = new Channel[]{client, backend};
            lease.release();
        };
        EmbeddedChannel client = new EmbeddedChannel(new Reads(), new HttpProxyHandler(settings, this, pool, tunnels));
        client.config().setAutoRead(false); // as the listener accepts them: the proxy asks for each read
        return client;
    }

    static Exchange exchange(EmbeddedChannel client) {
        return client.pipeline().get(HttpProxyHandler.class).exchange();
    }

    /** Counts the reads the proxy asks of the client channel. */
    static final class Reads extends ChannelDuplexHandler {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }

        static int of(EmbeddedChannel client) {
            return client.pipeline().get(Reads.class).count;
        }
    }

    @Override
    public Backend[] backends() {
        return backends;
    }

    @Override
    public SelectionStrategy strategy() {
        return candidates -> candidates[0];
    }

    @Override
    public Bootstrap connector(EventLoop loop) {
        throw new AssertionError("connect() is the exchange's way in");
    }

    @Override
    public ChannelFuture connect(Channel client, Backend target) {
        connectedTo.add(target);
        Object next = connects.poll();
        if (next == null) {
            throw new AssertionError("unexpected connect to worker " + target.owner());
        }
        if (next instanceof Throwable) {
            return new EmbeddedChannel().newFailedFuture((Throwable) next);
        }
        EmbeddedChannel channel = (EmbeddedChannel) next;
        return new Bootstrap().group(client.eventLoop()).channelFactory(() -> channel)
                .handler(TestUpstreams.untilConnected())
                .disableResolver() // an EmbeddedEventLoop has no termination future for a resolver
                .connect(target.address());
    }

    static ConnectException refused() {
        return new ConnectException("Connection refused");
    }

    @Override
    public void connectFailed(Backend failed, Throwable cause) {
        connectFailures.add(failed);
    }

    @Override
    public void noBackendAvailable() {
        noBackendAvailable++;
    }

    @Override
    public void transferred(Backend served, long fromClient, long toClient) {
        this.fromClient += fromClient;
        this.toClient += toClient;
    }

    @Override
    public int port() {
        return 80;
    }

    @Override
    public String describe() {
        return "127.0.0.1:80";
    }
}
