package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.SelectionStrategy;
import io.jcluster.agent.balancer.TestUpstreams;
import io.jcluster.agent.balancer.Upstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;

/**
 * One backend, reached through the pool, or by a connect that makes {@code fresh} (when null, a connect fails the
 * test); and the bytes helpers of such tests.
 */
record PooledWorker(Backend backend, Channel fresh) implements Upstream {

    PooledWorker(Backend backend) {
        this(backend, null);
    }

    static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    /** Everything written to the channel so far, as text. */
    static String drain(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (Object out; (out = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) out;
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    @Override
    public Backend[] backends() {
        return new Backend[]{backend};
    }

    @Override
    public SelectionStrategy strategy() {
        return backends -> backends[0];
    }

    @Override
    public Bootstrap connector(EventLoop loop) {
        if (fresh == null) {
            throw new AssertionError("the pooled worker connection was expected to be used");
        }
        return new Bootstrap().group(loop).channelFactory(() -> fresh).handler(TestUpstreams.untilConnected())
                .disableResolver(); // an EmbeddedEventLoop has no termination future for a resolver
    }

    @Override
    public ChannelFuture connect(Channel client, Backend target) {
        return connector(client.eventLoop()).connect(target.address());
    }

    @Override
    public void connectFailed(Backend failed, Throwable cause) {
        throw new AssertionError(cause);
    }

    @Override
    public void noBackendAvailable() {
    }

    @Override
    public void transferred(Backend served, long fromClient, long toClient) {
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
