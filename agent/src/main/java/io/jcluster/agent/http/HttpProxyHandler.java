package io.jcluster.agent.http;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendLease;
import io.jcluster.agent.balancer.ClientConnection;
import io.jcluster.agent.balancer.Tunnel;
import io.jcluster.agent.balancer.Upstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client connection in http mode. Requests are taken one at a time (reads are off; the next request is read
 * once the previous response has been sent), so pipelined requests are answered in order. Each request goes to a
 * worker of its own, over a pooled keep-alive connection, with its body streamed under back-pressure both ways.
 * Everything runs on the client's event loop, backend connections included: plain fields suffice.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements ClientConnection {

    static final String WATCH = "watch";
    static final String CODEC = "codec";
    static final String FLOW = "flow";
    static final String PROXY = "proxy";

    private static final HttpDecoderConfig RESPONSES = new HttpDecoderConfig()
            .setMaxInitialLineLength(HttpSettings.MAX_REQUEST_LINE)
            .setMaxHeaderSize(HttpSettings.MAX_RESPONSE_HEADERS)
            .setMaxChunkSize(HttpSettings.MAX_CHUNK);
    /** A request that failed on a worker's connection before any answer is sent again at most this often. */
    private static final int MAX_RETRIES = 2;

    private enum State {
        /** Between requests: waiting for the next request head. */
        AWAIT_HEAD,
        /** A request head is in; its backend connection is being made. */
        CONNECTING,
        /** The request is going to the worker and/or the response coming back. */
        FORWARDING,
        /** Ended; nothing more happens on this connection. */
        CLOSED
    }

    private final HttpSettings settings;
    private final Upstream upstream;
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_HEAD;

    /** Graceful shutdown or a client half-close: the connection ends after the request in progress. */
    private boolean closing;
    private long awaitingSince;
    /** When the first byte of the awaited request arrived; 0 while none has. */
    private long firstByteAt;
    private ScheduledFuture<?> timer;

    // the request in progress
    private HttpRequest request;
    private boolean keepAlive;
    private boolean http10;
    private boolean head;
    private boolean upgrade;
    private boolean requestSent;
    private long bodyBytes;
    private int retries;
    private List<Backend> refused;
    /** When the request began (its first byte, or its head if bytes came with the previous request's): for the latency histogram. */
    private long requestStartedAt;
    private long bytesFromClient;
    private long bytesToClient;
    // its response
    private boolean responseStarted;
    private boolean interim;
    private boolean switching;
    private boolean backendKeepAlive;
    private boolean closeAfterResponse;
    // the worker it went to
    private Backend backend;
    private BackendLease lease;
    private Channel backendChannel;
    private BackendResponseHandler backendHandler;
    private boolean awaitingBackendWritable;
    /** A message was asked for and has not come yet. */
    private boolean readRequested;

    HttpProxyHandler(HttpSettings settings, Upstream upstream) {
        this.settings = settings;
        this.upstream = upstream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(ClientConnection.KEY).set(this);
        awaitRequest();
    }

    // ---- client side ----

    void bytesArrived() {
        if (state == State.AWAIT_HEAD && firstByteAt == 0) {
            firstByteAt = System.nanoTime();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readRequested = false;
        if (msg instanceof HttpRequest) {
            requestHead((HttpRequest) msg);
            if (msg instanceof HttpContent) {
                ReferenceCountUtil.release(msg); // only a request that failed to decode is both
            }
        } else if (msg instanceof HttpContent) {
            requestContent((HttpContent) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void requestHead(HttpRequest head) {
        cancelTimer();
        if (state == State.CLOSED) {
            return; // input after the final answer, drained by a lingering close
        }
        if (state != State.AWAIT_HEAD) {
            ctx.close(); // cannot happen while reads are requested one message at a time
            return;
        }
        DecoderResult decoded = head.decoderResult();
        if (decoded.isFailure()) {
            Throwable cause = decoded.cause();
            if (cause instanceof TooLongHttpLineException) {
                fail(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is longer than "
                        + HttpSettings.MAX_REQUEST_LINE + " bytes");
            } else if (cause instanceof TooLongHttpHeaderException) {
                fail(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are larger than "
                        + HttpSettings.MAX_REQUEST_HEADERS + " bytes");
            } else {
                fail(HttpResponseStatus.BAD_REQUEST, "malformed request (" + cause.getMessage() + ")");
            }
            return;
        }
        HttpVersion version = head.protocolVersion();
        http10 = version.majorVersion() == 1 && version.minorVersion() == 0;
        keepAlive = HttpUtil.isKeepAlive(head) && !closing;
        this.head = HttpMethod.HEAD.equals(head.method());
        upgrade = head.headers().contains(HttpHeaderNames.UPGRADE)
                && head.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
        HopByHopHeaders.strip(head.headers(), upgrade);
        if (http10) {
            // the workers are asked in HTTP/1.1, so that their connections can be kept and reused
            head.setProtocolVersion(HttpVersion.HTTP_1_1);
            if (!head.headers().contains(HttpHeaderNames.HOST)) {
                head.headers().set(HttpHeaderNames.HOST, upstream.describe());
            }
        }
        ForwardedHeaders.add(head.headers(), ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress(),
                settings.secure(), upstream.port());
        request = head;
        requestStartedAt = firstByteAt != 0 ? firstByteAt : System.nanoTime();
        bytesFromClient = 0;
        bytesToClient = 0;
        requestSent = false;
        bodyBytes = 0;
        retries = 0;
        refused = null;
        responseStarted = false;
        interim = false;
        switching = false;
        state = State.CONNECTING;
        dispatch();
    }

    private void requestContent(HttpContent content) {
        if (state != State.FORWARDING || backendChannel == null || requestSent) {
            content.release(); // the rest of a request that was already answered (an error, an early response)
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            fail(HttpResponseStatus.BAD_REQUEST, "malformed request body (" + content.decoderResult().cause().getMessage() + ")");
            return;
        }
        bodyBytes += content.content().readableBytes();
        bytesFromClient += content.content().readableBytes();
        boolean last = content instanceof LastHttpContent;
        backendChannel.write(content, backendChannel.voidPromise());
        if (last) {
            requestSent = true;
            backendChannel.flush();
            if (!responseStarted) {
                schedule(settings.responseTimeout().toNanos());
            }
        } else if (backendChannel.isWritable()) {
            requestRead();
        } else {
            awaitingBackendWritable = true; // first: the flush may make the channel writable again at once
            backendChannel.flush();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (backendChannel != null && state == State.FORWARDING && !requestSent) {
            backendChannel.flush(); // one flush per read batch of a body, not per piece
        }
        if (readRequested) {
            // FlowControlHandler counts a read cycle that ended without a whole message (part of a header block,
            // say) as the answer to read(): ask again, or the message would wait in its queue for good
            ctx.read();
        }
    }

    /** Asks for the next decoded message: the next request, or the next piece of a body. */
    private void requestRead() {
        readRequested = true;
        ctx.read();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // the client cannot take more of the response (or can again): pause (or resume) reading from the worker
        if (backendChannel != null) {
            backendChannel.config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            // the client will send nothing more: answer what is in progress, then close
            closing = true;
            keepAlive = false;
            if (state == State.AWAIT_HEAD || state == State.CLOSED) {
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        cancelTimer();
        Channel backend = detachBackend();
        if (backend != null) {
            backend.close(); // mid-exchange: the connection is in an unknown state, not reusable
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // resets, broken pipes, TLS handshake failures: nothing to answer
        ctx.close();
    }

    @Override
    public void closeIfIdle() {
        closing = true;
        if (state == State.AWAIT_HEAD && firstByteAt == 0) {
            ctx.close();
        }
    }

    private void awaitRequest() {
        state = State.AWAIT_HEAD;
        request = null;
        awaitingSince = System.nanoTime();
        firstByteAt = 0;
        schedule(Math.min(settings.headerTimeout().toNanos(), settings.idleTimeout().toNanos()));
        requestRead();
    }

    // ---- choosing and reaching a worker ----

    private void dispatch() {
        Backend[] candidates = upstream.backendsExcept(refused);
        if (candidates.length == 0) {
            upstream.noBackendAvailable();
            if (refused == null) {
                fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no worker is serving " + upstream.describe()
                        + " right now; try again shortly");
            } else {
                fail(HttpResponseStatus.BAD_GATEWAY, "no worker could be reached (" + refused.size() + " tried)");
            }
            return;
        }
        Backend chosen = settings.stickiness().route(request, candidates);
        if (chosen == null) {
            chosen = upstream.strategy().pick(candidates);
        }
        backend = chosen;
        lease = new BackendLease(chosen); // least-connections counts requests in flight in http mode
        Channel pooled = upgrade ? null : BackendConnectionPool.take(chosen);
        if (pooled != null) {
            attach(pooled, pooled.pipeline().get(BackendResponseHandler.class));
            sendHead();
            return;
        }
        Backend target = chosen;
        upstream.connector(ctx.channel().eventLoop()).connect(chosen.address())
                .addListener((ChannelFutureListener) connect -> connected(connect, target));
    }

    private void connected(ChannelFuture connect, Backend target) {
        Channel channel = connect.channel();
        if (state != State.CONNECTING || backend != target) {
            channel.close(); // the client left (or the exchange failed) while connecting
            return;
        }
        if (!connect.isSuccess()) {
            releaseLease();
            upstream.connectFailed(target, connect.cause());
            if (refused == null) {
                refused = new ArrayList<>(2);
            }
            refused.add(target); // nothing was sent: any request may go elsewhere
            dispatch();
            return;
        }
        BackendResponseHandler handler = new BackendResponseHandler(target);
        Upstream.install(channel, new HttpClientCodec(RESPONSES, false, false), handler);
        attach(channel, handler);
        channel.config().setAutoRead(true);
        sendHead();
    }

    private void attach(Channel channel, BackendResponseHandler handler) {
        backendChannel = channel;
        backendHandler = handler;
        handler.lendTo(this);
        state = State.FORWARDING;
    }

    private void sendHead() {
        backendChannel.write(request, backendChannel.voidPromise());
        if (requestSent) {
            // a retry of a request without a body that was already read whole
            backendChannel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, backendChannel.voidPromise());
            schedule(settings.responseTimeout().toNanos());
            return;
        }
        requestRead(); // the body, or the end of the request; delivered at once if it is already decoded
        if (!requestSent && backendChannel != null) {
            // the body is not here yet (a large upload, or a client waiting for 100 Continue): send the head now
            backendChannel.flush();
        }
    }

    // ---- worker side, called by BackendResponseHandler ----

    void backendRead(Object msg) {
        if (msg instanceof HttpResponse) {
            responseHead((HttpResponse) msg);
        }
        if (msg instanceof HttpContent) {
            responseContent((HttpContent) msg);
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void responseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            Channel gone = detachBackend();
            gone.close();
            fail(HttpResponseStatus.BAD_GATEWAY, "worker " + backend.owner() + " sent a malformed response ("
                    + response.decoderResult().cause().getMessage() + ")");
            return;
        }
        int status = response.status().code();
        if (status == HttpResponseStatus.SWITCHING_PROTOCOLS.code() && upgrade) {
            switching = true;
            cancelTimer();
            HopByHopHeaders.strip(response.headers(), true);
            ctx.write(response, ctx.voidPromise());
            return;
        }
        if (status >= 100 && status < 200 && status != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            interim = true; // 100 Continue, 103 Early Hints: passed on; the real response follows
            HopByHopHeaders.strip(response.headers(), false);
            ctx.write(response, ctx.voidPromise());
            return;
        }
        cancelTimer();
        responseStarted = true;
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        HopByHopHeaders.strip(response.headers(), false);
        settings.stickiness().learn(request, response, backend, settings.secure());
        closeAfterResponse = !keepAlive || closing;
        boolean bodiless = head || status == 204 || status == 304;
        if (!bodiless && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
            // the worker ends this body by closing; the client gets it chunked (HTTP/1.0: delimited by close)
            if (http10) {
                closeAfterResponse = true;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        if (http10 && HttpUtil.isTransferEncodingChunked(response)) {
            HttpUtil.setTransferEncodingChunked(response, false); // HTTP/1.0 has no chunks
            closeAfterResponse = true;
        }
        if (closeAfterResponse) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response, ctx.voidPromise());
    }

    private void responseContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (switching) {
            content.release();
            if (last) {
                becomeTunnel();
            }
            return;
        }
        if (interim) {
            content.release();
            if (last) {
                interim = false;
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
            }
            return;
        }
        if (!responseStarted) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            ctx.close(); // the response is cut; the client must not take it for whole
            return;
        }
        bytesToClient += content.content().readableBytes();
        if (!last) {
            ctx.write(content, ctx.voidPromise());
            if (!ctx.channel().isWritable()) {
                backendChannel.config().setAutoRead(false);
            }
            return;
        }
        ChannelFuture written = ctx.writeAndFlush(content);
        responseComplete(written);
    }

    void backendReadComplete() {
        ctx.flush();
    }

    void backendWritabilityChanged(boolean writable) {
        if (writable && awaitingBackendWritable) {
            awaitingBackendWritable = false;
            requestRead();
        }
    }

    /** The backend connection closed while lent to this exchange. */
    void backendClosed() {
        Backend lost = backend;
        detachBackend();
        if (state != State.FORWARDING) {
            return;
        }
        if (!responseStarted) {
            if (bodyBytes == 0 && idempotent(request.method()) && retries < MAX_RETRIES) {
                // typically a kept-alive connection the worker closed just as the request went out
                retries++;
                state = State.CONNECTING;
                dispatch();
                return;
            }
            fail(HttpResponseStatus.BAD_GATEWAY, "worker " + lost.owner() + " closed the connection before answering");
            return;
        }
        ctx.close(); // the response was cut short: closing tells the client so
    }

    private void responseComplete(ChannelFuture written) {
        Backend served = backend;
        served.requestCompleted(System.nanoTime() - requestStartedAt);
        upstream.transferred(served, bytesFromClient, bytesToClient);
        Channel channel = detachBackend();
        if (backendKeepAlive && requestSent && channel.isActive()) {
            channel.config().setAutoRead(true);
            if (!BackendConnectionPool.offer(served, channel)) {
                channel.close();
            }
        } else {
            channel.close();
        }
        if (!requestSent || closeAfterResponse) {
            // !requestSent: the worker answered before the body was all there; the rest cannot be skipped safely
            state = State.CLOSED;
            LingeringClose.after(written);
            return;
        }
        awaitRequest();
    }

    private void becomeTunnel() {
        Channel client = ctx.channel();
        Channel toWorker = backendChannel;
        BackendLease tunnelLease = lease;
        lease = null; // the tunnel keeps the worker's count until it closes
        detachBackend();
        state = State.CLOSED;
        ctx.flush();
        // encoders go first: the raw bytes a decoder still holds pass through when it is removed below
        client.pipeline().remove(FLOW);
        client.pipeline().remove(WATCH);
        ((CombinedChannelDuplexHandler<?, ?>) client.pipeline().get(CODEC)).removeOutboundHandler();
        HttpClientCodec workerCodec = toWorker.pipeline().get(HttpClientCodec.class);
        workerCodec.removeOutboundHandler();
        toWorker.pipeline().remove(BackendResponseHandler.class);
        Tunnel.join(upstream, client, toWorker, tunnelLease);
        client.pipeline().remove(this);
        client.pipeline().remove(CODEC);
        toWorker.pipeline().remove(workerCodec);
    }

    // ---- endings ----

    private void fail(HttpResponseStatus status, String what) {
        Channel channel = detachBackend();
        if (channel != null) {
            channel.close();
        }
        cancelTimer();
        State was = state;
        state = State.CLOSED;
        if (responseStarted || was == State.CLOSED) {
            ctx.close();
            return;
        }
        LingeringClose.after(ctx.writeAndFlush(status == HttpResponseStatus.SERVICE_UNAVAILABLE
                ? ErrorResponses.retryLater(ctx.alloc(), what, 1)
                : ErrorResponses.of(ctx.alloc(), status, what)));
    }

    /** Returns the backend channel (or null), no longer tied to this exchange; releases the request's lease. */
    private Channel detachBackend() {
        releaseLease();
        Channel channel = backendChannel;
        if (channel != null) {
            backendHandler.giveBack();
            backendChannel = null;
            backendHandler = null;
            awaitingBackendWritable = false;
        }
        return channel;
    }

    private void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }

    // ---- timers: header, idle, response ----

    private void schedule(long delayNanos) {
        cancelTimer();
        timer = ctx.executor().schedule(this::timerFired, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void timerFired() {
        timer = null;
        long now = System.nanoTime();
        if (state == State.AWAIT_HEAD) {
            if (firstByteAt == 0) {
                long idle = now - awaitingSince;
                long idleTimeout = settings.idleTimeout().toNanos();
                if (idle >= idleTimeout) {
                    ctx.close(); // an idle keep-alive connection: closed without a word, as every server does
                } else {
                    schedule(Math.min(idleTimeout - idle, settings.headerTimeout().toNanos()));
                }
                return;
            }
            long waited = now - firstByteAt;
            long headerTimeout = settings.headerTimeout().toNanos();
            if (waited >= headerTimeout) {
                fail(HttpResponseStatus.REQUEST_TIMEOUT, "the request headers did not arrive within header-timeout="
                        + settings.headerTimeout().toMillis() + "ms");
            } else {
                schedule(headerTimeout - waited);
            }
        } else if (state == State.FORWARDING && !responseStarted && !switching) {
            int owner = backend.owner();
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, "worker " + owner + " did not answer within response-timeout="
                    + settings.responseTimeout().toMillis() + "ms");
        }
    }

    private static boolean idempotent(HttpMethod method) {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method)
                || HttpMethod.PUT.equals(method) || HttpMethod.DELETE.equals(method)
                || HttpMethod.TRACE.equals(method);
    }
}
