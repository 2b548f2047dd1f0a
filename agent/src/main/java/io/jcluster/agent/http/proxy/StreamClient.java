package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.http.h2.H2Stream;
import io.jcluster.agent.http.h2.RequestHead;
import io.jcluster.agent.http.h2.StreamHandler;
import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.EventExecutor;

import java.net.SocketAddress;

/**
 * An HTTP/2 stream as the exchange's client: the stream's request is one HTTP/1.1 request to the exchange, which
 * balances, forwards, limits and logs it as any other; its HTTP/1.1 response becomes the stream's frames
 * ({@link H2Stream}). Kept, exchange and all, for the connection's next stream once its own ended: a connection
 * with many streams makes no exchange per stream.
 */
final class StreamClient implements ClientSide, StreamHandler {

    private final H2Stream stream;
    private final Exchange exchange;

    StreamClient(H2Stream stream, HttpSettings settings, Upstream upstream, BackendConnectionPool pool,
                 ForwardedHeaders forwarded) {
        this.stream = stream;
        this.exchange = new Exchange(this, settings, upstream, pool, forwarded,
                WorkerSelection.of(settings.stickiness(), upstream), UpgradeHandOff.BYTE_RELAY);
    }

    // ---- the stream's events ----

    @Override
    public MessageHead requestHead() {
        return exchange.receiver.head;
    }

    @Override
    public void started(int outcome) {
        exchange.startStream(outcome == RequestHead.READY);
    }

    @Override
    public void requestBytes(ByteBuf bytes) {
        exchange.clientRead(bytes);
    }

    @Override
    public void readComplete() {
        exchange.clientReadComplete();
    }

    @Override
    public void writabilityChanged() {
        exchange.clientWritabilityChanged();
    }

    @Override
    public void ended() {
        exchange.streamEnded();
    }

    @Override
    public void discarded() {
        exchange.removed();
    }

    // ---- the exchange's client ----

    @Override
    public ByteBufAllocator alloc() {
        return stream.alloc();
    }

    @Override
    public EventExecutor executor() {
        return stream.executor();
    }

    @Override
    public void read() {
        stream.read();
    }

    @Override
    public void write(ByteBuf data) {
        stream.write(data);
    }

    @Override
    public void flush() {
        stream.flush();
    }

    @Override
    public boolean isWritable() {
        return stream.isWritable();
    }

    @Override
    public void close() {
        stream.close();
    }

    @Override
    public void endAfter(ByteBuf last) {
        stream.endAfter(last);
    }

    @Override
    public SocketAddress remoteAddress() {
        return stream.channel().remoteAddress();
    }

    @Override
    public Channel channel() {
        return stream.channel();
    }

    @Override
    public boolean http2() {
        return true;
    }

    private static final AsciiString SET_COOKIE = AsciiString.cached("set-cookie");
    private static final AsciiString X_CACHE = AsciiString.cached("x-cache");

    @Override
    public void responseHead(MessageHead head, BodyFraming body, String setCookie, CacheStatus cacheStatus) {
        AsciiString[] extra = null;
        if (setCookie != null || cacheStatus != null) {
            extra = new AsciiString[(setCookie == null ? 0 : 2) + (cacheStatus == null ? 0 : 2)];
            int n = 0;
            if (setCookie != null) {
                extra[n++] = SET_COOKIE;
                extra[n++] = new AsciiString(setCookie);
            }
            if (cacheStatus != null) {
                extra[n++] = X_CACHE;
                extra[n] = cacheStatus.value;
            }
        }
        stream.responseHead(head, body.kind(), head.contentLength(), extra);
    }

    /** Never asked: RFC 9113 section 8.2.2 makes a request with Upgrade malformed, so no stream switches. */
    @Override
    public void handOff() {
        throw new UnsupportedOperationException("an HTTP/2 stream cannot switch protocols");
    }

    /** The exchange of this stream, for tests. */
    Exchange exchange() {
        return exchange;
    }
}
