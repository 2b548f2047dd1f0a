package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;

import java.net.SocketAddress;

/**
 * The client an {@link Exchange} serves, as HTTP/1.1 bytes both ways: a client connection ({@link ChannelClient}),
 * or one HTTP/2 stream ({@link StreamClient}) whose request arrives as HTTP/1.1 bytes and whose HTTP/1.1 response
 * bytes become frames. Everything is called on the client connection's event loop.
 */
interface ClientSide {

    ByteBufAllocator alloc();

    /** The client connection's event loop. */
    EventExecutor executor();

    /** More request bytes may come (one batch, as a channel read with auto-read off). */
    void read();

    /** Response bytes (ownership passes), not flushed. */
    void write(ByteBuf data);

    void flush();

    /** Whether the client takes more response bytes now; else the exchange waits for clientWritabilityChanged. */
    boolean isWritable();

    /** Ends the client abruptly: a response in progress is cut (and the client can tell). */
    void close();

    /** Writes {@code last}, the final bytes for this client (ownership passes), then ends the client after them. */
    void endAfter(ByteBuf last);

    SocketAddress remoteAddress();

    /** The client connection's channel (an HTTP/2 stream's: its connection's). */
    Channel channel();

    /** Whether this is an HTTP/2 stream: one request, its client's end the response's end. */
    boolean http2();

    /**
     * An HTTP/2 stream's final response head, scanned and rewritten by the exchange (its dropped lines left out),
     * with the fields the proxy adds ({@code setCookie}: a sticky session's cookie; {@code cacheStatus}: X-Cache;
     * either null) and its body's framing: the stream frames these, with no HTTP/1.1 head to write and scan again.
     * Only for {@link #http2()}: an HTTP/1.1 client gets the head's bytes.
     */
    void responseHead(MessageHead head, BodyFraming body, String setCookie, CacheStatus cacheStatus);

    /** The connection leaves http mode (a tunnel after a 101): the proxy's handler is taken off it. */
    void handOff();
}
