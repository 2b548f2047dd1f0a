package io.jcluster.agent.http;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Resume;
import io.jcluster.agent.balancer.BackendLease;
import io.jcluster.agent.balancer.ClientConnection;
import io.jcluster.agent.balancer.Tunnel;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.ChunkedScanner;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.HopByHopHeaders;
import io.jcluster.agent.http.wire.MessageHead;
import io.jcluster.agent.http.wire.RequestLine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client connection in http mode. Requests are taken one at a time (reads are off; the next request is read
 * once the previous response has been sent), so pipelined requests are answered in order. Each request goes to a
 * worker of its own, over a pooled keep-alive connection, with its body streamed under back-pressure both ways.
 * Everything runs on the client's event loop, backend connections included: plain fields suffice.
 *
 * <p>Nothing is decoded into message objects: {@link MessageHead} finds the framing and the few headers a proxy
 * acts on in the raw bytes, the head goes on as it came minus the hop-by-hop lines plus the forwarding headers,
 * and bodies go on as they came ({@link BodyFraming} only counts where they end). Only an HTTP/1.0 client, which
 * cannot take chunks, gets a chunked response's data without its framing.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter implements ClientConnection {

    static final String PROXY = "proxy";

    /** A request that failed on a worker's connection before any answer is sent again at most this often. */
    private static final int MAX_RETRIES = 2;

    private static final byte[] CONNECTION_CLOSE = HeadWriter.ascii("connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = HeadWriter.ascii("connection: keep-alive\r\n");
    private static final byte[] CONNECTION_UPGRADE = HeadWriter.ascii("connection: upgrade\r\n");
    private static final byte[] CONNECTION_UPGRADE_H2C = HeadWriter.ascii("connection: upgrade, http2-settings\r\n");
    private static final byte[] CHUNKED = HeadWriter.ascii("transfer-encoding: chunked\r\n");
    private static final byte[] SET_COOKIE = HeadWriter.ascii("set-cookie: ");
    private static final byte[] HOST = HeadWriter.ascii("host: ");
    private static final byte[] LAST_CHUNK = HeadWriter.ascii("0\r\n\r\n");

    /** How a response body goes to the client. */
    private static final int AS_IT_CAME = 0;
    /** A body the worker ends by closing, to an HTTP/1.1 client that keeps its connection: chunked by jcluster. */
    private static final int RECHUNKED = 1;
    /** A chunked body to an HTTP/1.0 client: the data only, ended by closing. */
    private static final int DECHUNKED = 2;

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
    /** Idle connections to the workers this connection's requests may reuse. */
    private final BackendConnectionPool pool;
    private ChannelHandlerContext ctx;
    private State state = State.AWAIT_HEAD;
    private ForwardedHeaders forwarded;

    /** Graceful shutdown or a client half-close: the connection ends after the request in progress. */
    private boolean closing;
    /** When the first byte of the awaited request arrived; 0 while none has. */
    private long firstByteAt;

    // one deadline per connection (idle, header, response), checked by one timer that is moved only when the
    // deadline comes before it: most requests move the deadline with a field write, not a timer task
    private final Runnable timerTask = this::timerFired;
    private long deadline = Long.MAX_VALUE;
    private long timerAt = Long.MAX_VALUE;
    private ScheduledFuture<?> timer;

    // the client's bytes not passed on yet: a head not yet whole, pipelined requests, body bytes while connecting
    private ByteBuf in;
    private final MessageHead requestHead = new MessageHead(true, HttpSettings.MAX_REQUEST_LINE,
            HttpSettings.MAX_REQUEST_HEADERS);
    private final BodyFraming requestBody = new BodyFraming();

    // the request in progress
    /** Its head as the worker gets it; kept until the response is complete, to send it again on a retry. */
    private ByteBuf requestOut;
    private boolean keepAlive;
    private boolean http10;
    private boolean headMethod;
    private boolean idempotent;
    private boolean upgrade;
    private String stickyCookie;
    private boolean requestSent;
    /** The request asked for 100-continue, has a body, and the worker has not sent its 100 yet. */
    private boolean awaitingContinue;
    private long bodyBytes;
    private int retries;
    private List<Backend> refused;
    /** When the request began (its first byte, or its head if bytes came with the previous request's): for the latency histogram. */
    private long requestStartedAt;
    private long bytesFromClient;
    private long bytesToClient;
    private boolean backendNeedsFlush;

    // its response
    private ByteBuf responseIn;
    private final MessageHead responseHead = new MessageHead(false, HttpSettings.MAX_REQUEST_LINE,
            HttpSettings.MAX_RESPONSE_HEADERS);
    private final BodyFraming responseBody = new BodyFraming();
    private boolean responseStarted;
    private boolean switching;
    private boolean backendKeepAlive;
    private boolean closeAfterResponse;
    private int bodyMode;
    private boolean clientNeedsFlush;

    // the worker it went to
    private Backend backend;
    private BackendLease lease;
    private Channel backendChannel;
    private BackendResponseHandler backendHandler;
    private boolean awaitingBackendWritable;

    HttpProxyHandler(HttpSettings settings, Upstream upstream) {
        this.settings = settings;
        this.upstream = upstream;
        this.pool = BackendConnectionPool.forClient(settings.poolPerClient());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().attr(ClientConnection.KEY).set(this);
        SocketAddress remote = ctx.channel().remoteAddress();
        InetAddress client = remote instanceof InetSocketAddress ? ((InetSocketAddress) remote).getAddress()
                : InetAddress.getLoopbackAddress();
        forwarded = new ForwardedHeaders(client, settings.secure(), upstream.port(),
                settings.trustedProxies().contains(client));
        pool.clientOpened();
        awaitRequest(System.nanoTime());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // closed, or a tunnel now (whose backend connection leaves the pool's reckoning too)
        pool.clientClosed();
        cancelTimer();
        releaseBuffers();
    }

    // ---- client side ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ByteBuf data = (ByteBuf) msg;
        if (state == State.CLOSED || !data.isReadable()) {
            data.release(); // input after the final answer, drained by a lingering close
            return;
        }
        if (state == State.AWAIT_HEAD && firstByteAt == 0) {
            firstByteAt = System.nanoTime();
        }
        in = Cumulation.append(ctx.alloc(), in, data);
        if (state == State.AWAIT_HEAD) {
            readHead();
        } else if (state == State.FORWARDING && !requestSent) {
            long now = System.nanoTime();
            forwardBody();
            if (state == State.FORWARDING) {
                afterBody(now);
            }
        }
        // CONNECTING, or FORWARDING a request already sent: the bytes (a pipelined request) wait in `in`
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (backendNeedsFlush && backendChannel != null) {
            backendNeedsFlush = false;
            backendChannel.flush(); // one flush per read batch of a body, not per piece
        }
        if (state != State.CLOSED && (in == null || !in.isReadable()) && !awaitingBackendWritable) {
            // nothing waits here: keep the read interest on. Turning it off after each request and on again for
            // the next costs two epoll_ctl calls per request; a client that sends its next request early gets
            // one read buffered at most (then `in` holds bytes and reads stop until they are taken)
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // the client can take more of the response again: resume reading from the worker (see clientWritable)
        if (backendChannel != null && ctx.channel().isWritable()) {
            Resume.reading(backendChannel);
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
        releaseBuffers();
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
        if (state == State.AWAIT_HEAD && (in == null || !in.isReadable())) {
            ctx.close();
        }
    }

    private void awaitRequest(long now) {
        state = State.AWAIT_HEAD;
        responseStarted = false; // the last exchange's: an error in the next head is answered, not just closed
        releaseRequestOut();
        firstByteAt = 0;
        if (in != null && in.isReadable()) {
            firstByteAt = now; // pipelined: the next request is already here
            readHead();
            return;
        }
        deadlineAt(now + settings.idleTimeout().toNanos(), now);
        ctx.read();
    }

    private void readHead() {
        int outcome = requestHead.scan(in);
        if (outcome == MessageHead.NEED_MORE) {
            // part of a head: from its first byte on, the whole head must come within header-timeout
            deadlineAt(firstByteAt + settings.headerTimeout().toNanos(), System.nanoTime());
            ctx.read();
            return;
        }
        if (outcome == MessageHead.FAILED) {
            int status = requestHead.violation().defaultStatus();
            fail(status, status == 400 ? "malformed request (" + requestHead.error() + ")" : requestHead.error());
            return;
        }
        startRequest();
    }

    private void startRequest() {
        MessageHead head = requestHead;
        http10 = head.version() == 10;
        keepAlive = head.keepAlive() && !closing;
        headMethod = head.isHeadMethod();
        idempotent = head.idempotent();
        // h2c-upgrade=refuse: the request goes on as a plain HTTP/1.1 request, its Upgrade and HTTP2-Settings dropped
        // as hop-by-hop (the client gets an ordinary answer, as behind nginx): an HTTP/2 connection would carry
        // every later request to this one worker, past balancing and header rewriting
        upgrade = head.upgrade() && (!head.upgradeToH2c() || settings.passH2c());
        boolean h2cSettings = upgrade && head.first(MessageHead.HTTP2_SETTINGS) >= 0;
        int expectation = head.expectation();
        if (expectation == MessageHead.EXPECT_OTHER) {
            // RFC 9110 section 10.1.1 allows a 417 here. Answered by the parent, not left to the worker: one that
            // answers 417 without reading the body (Netty's HttpObjectAggregator) reads that body as the next request
            // on a connection the parent would hand to the next client
            fail(417, "the only expectation this server meets is 100-continue");
            return;
        }
        if (head.chunked()) {
            requestBody.chunked();
        } else {
            requestBody.length(Math.max(0, head.contentLength())); // a request without either has no body
        }
        awaitingContinue = expectation == MessageHead.EXPECT_CONTINUE && !requestBody.done();
        stickyCookie = settings.stickiness().cookie(head);

        HopByHopHeaders.drop(head, upgrade);
        forwarded.drop(head);
        byte[] hostOverride = http10 && head.first(MessageHead.HOST) < 0 ? HeadWriter.ascii(upstream.describe()) : null;
        // the workers are asked in HTTP/1.1, so that their connections can be kept and reused
        ByteBuf out = HeadWriter.begin(ctx.alloc(), head, forwarded.room() + 64, http10);
        if (upgrade) {
            out.writeBytes(h2cSettings ? CONNECTION_UPGRADE_H2C : CONNECTION_UPGRADE);
        }
        if (hostOverride != null) {
            out.writeBytes(HOST).writeBytes(hostOverride).writeBytes(HeadWriter.CRLF);
        }
        forwarded.write(out, head, hostOverride);
        HeadWriter.end(out);
        in.skipBytes(head.length());
        head.reset();
        releaseInIfEmpty();

        requestOut = out;
        requestStartedAt = firstByteAt != 0 ? firstByteAt : System.nanoTime();
        bytesFromClient = 0;
        bytesToClient = 0;
        requestSent = false;
        bodyBytes = 0;
        retries = 0;
        refused = null;
        responseStarted = false;
        switching = false;
        state = State.CONNECTING;
        deadline = Long.MAX_VALUE; // nothing to time until the request is out
        dispatch();
    }

    /** Passes on the body bytes that are here (without flushing); marks the request sent once its body is whole. */
    private void forwardBody() {
        Channel channel = backendChannel;
        while (in != null && in.isReadable() && !requestBody.done()) {
            int start = in.readerIndex();
            int end = requestBody.scan(in, start, in.writerIndex());
            if (end < 0) {
                fail(400, "malformed request body (" + requestBody.chunks().error() + ")");
                return;
            }
            int n = end - start;
            bodyBytes += n;
            bytesFromClient += n;
            if (n == in.readableBytes()) {
                channel.write(in, channel.voidPromise());
                in = null;
            } else {
                channel.write(in.readRetainedSlice(n), channel.voidPromise());
            }
            backendNeedsFlush = true;
        }
        releaseInIfEmpty();
        if (requestBody.done()) {
            requestSent = true;
        }
    }

    /** After body bytes went out: flush and start the response clock if the request is whole, else read more. */
    private void afterBody(long now) {
        if (requestSent) {
            backendNeedsFlush = false;
            backendChannel.flush();
            if (!responseStarted && !switching) {
                deadlineAt((now != 0 ? now : System.nanoTime()) + settings.responseTimeout().toNanos(), now);
            }
        } else if (backendChannel.isWritable()) {
            bodyDeadline(now);
            ctx.read();
        } else {
            awaitingBackendWritable = true; // first: the flush may make the channel writable again at once
            backendNeedsFlush = false;
            backendChannel.flush();
            bodyDeadline(now);
        }
    }

    /**
     * While the body is coming: waiting for the client, body-timeout from its last bytes (nginx's
     * client_body_timeout); waiting for the worker to take what it was sent, response-timeout.
     *
     * @param now System.nanoTime(), or 0 if the caller has none at hand
     */
    private void bodyDeadline(long now) {
        if (requestSent) {
            return;
        }
        long at = now != 0 ? now : System.nanoTime();
        deadlineAt(at + (awaitingBackendWritable ? settings.responseTimeout() : settings.bodyTimeout()).toNanos(), at);
    }

    // ---- choosing and reaching a worker ----

    private void dispatch() {
        Backend[] candidates = upstream.backendsExcept(refused);
        if (candidates.length == 0) {
            upstream.noBackendAvailable();
            if (refused == null) {
                fail(503, "no worker is serving " + upstream.describe() + " right now; try again shortly");
            } else {
                fail(502, "no worker could be reached (" + refused.size() + " tried)");
            }
            return;
        }
        Backend chosen = stickyCookie == null ? null : settings.stickiness().route(stickyCookie, candidates);
        if (chosen == null) {
            chosen = upstream.strategy().pick(candidates);
        }
        backend = chosen;
        lease = new BackendLease(chosen); // least-connections counts requests in flight in http mode
        Channel pooled = upgrade ? null : pool.take(chosen);
        if (pooled != null) {
            attach(pooled, pooled.pipeline().get(BackendResponseHandler.class));
            sendHead();
            return;
        }
        Backend target = chosen;
        upstream.connect(ctx.channel(), chosen)
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
        BackendResponseHandler handler = new BackendResponseHandler(target, pool);
        Upstream.install(channel, handler);
        attach(channel, handler);
        channel.read(); // backend connections read on request, one batch at a time (BackendResponseHandler)
        sendHead();
    }

    private void attach(Channel channel, BackendResponseHandler handler) {
        backendChannel = channel;
        backendHandler = handler;
        handler.lendTo(this);
        state = State.FORWARDING;
    }

    private void sendHead() {
        Channel channel = backendChannel;
        // the head itself, not a duplicate: a retry happens only after the failed connection released it
        channel.write(requestOut.retain().readerIndex(0), channel.voidPromise());
        if (!requestSent) {
            forwardBody(); // what of the body is here already goes in the same flush
            if (state != State.FORWARDING) {
                return;
            }
        }
        if (!requestSent) {
            // the body is not all here (a large upload, or a client waiting for 100 Continue): send the head now
            backendNeedsFlush = false;
            channel.flush();
            if (channel.isWritable()) {
                ctx.read();
            } else {
                awaitingBackendWritable = true;
            }
            bodyDeadline(0);
            return;
        }
        afterBody(0);
    }

    // ---- worker side, called by BackendResponseHandler ----

    void backendRead(ByteBuf data) {
        if (state != State.FORWARDING || switching) {
            data.release();
            return;
        }
        if (responseStarted) {
            responseBytes(data, -1);
            return;
        }
        responseIn = Cumulation.append(ctx.alloc(), responseIn, data);
        while (true) {
            int outcome = responseHead.scan(responseIn);
            if (outcome == MessageHead.NEED_MORE) {
                return;
            }
            if (outcome == MessageHead.FAILED) {
                String why = responseHead.error();
                int owner = backend.owner();
                detachBackend().close();
                fail(502, "worker " + owner + " sent a malformed response (" + why + ")");
                return;
            }
            int status = responseHead.status();
            if (status == 101) {
                if (upgrade) {
                    switchProtocols();
                } else {
                    int owner = backend.owner();
                    detachBackend().close();
                    fail(502, "worker " + owner + " switched protocols without being asked to");
                }
                return;
            }
            if (status >= 200) {
                responseHeadArrived();
                return;
            }
            // 100 Continue, 103 Early Hints: passed on; the real response follows
            if (status == 100) {
                awaitingContinue = false;
            }
            HopByHopHeaders.drop(responseHead, false);
            writeHeadAsIs(responseHead);
            ctx.flush();
            if (responseIn == null) {
                return;
            }
        }
    }

    private void responseHeadArrived() {
        MessageHead head = responseHead;
        int status = head.status();
        responseStarted = true;
        if (requestSent) {
            deadline = Long.MAX_VALUE;
        } // else the body deadline stays: the client must still send the rest of its body
        backendKeepAlive = head.keepAlive();
        closeAfterResponse = !keepAlive || closing;
        bodyMode = AS_IT_CAME;
        if (headMethod || status == 204 || status == 304) {
            responseBody.none();
        } else if (head.hasTransferEncoding()) {
            if (head.chunked()) {
                responseBody.chunked();
            } else {
                responseBody.untilClose();
            }
        } else if (head.contentLength() >= 0) {
            responseBody.length(head.contentLength());
        } else {
            responseBody.untilClose();
        }
        HopByHopHeaders.drop(head, false);
        String setCookie = settings.stickiness().learn(stickyCookie, head, backend, settings.secure());
        boolean addChunked = false;
        if (responseBody.kind() == BodyFraming.Kind.UNTIL_CLOSE) {
            backendKeepAlive = false;
            if (http10) {
                closeAfterResponse = true; // HTTP/1.0 knows bodies ended by closing
            } else {
                bodyMode = RECHUNKED;
                addChunked = true;
            }
        } else if (http10 && responseBody.kind() == BodyFraming.Kind.CHUNKED) {
            for (int i = 0; i < head.count(); i++) {
                if (head.kind(i) == MessageHead.TRANSFER_ENCODING) {
                    head.drop(i); // HTTP/1.0 has no chunks
                }
            }
            bodyMode = DECHUNKED;
            closeAfterResponse = true;
        }
        boolean addConnection = closeAfterResponse || http10;
        ByteBuf bytes = responseIn;
        responseIn = null;
        int bodyStart = bytes.readerIndex() + head.length();
        int sliceFrom;
        if (!addConnection && !addChunked && setCookie == null && !head.bareLf() && !HeadWriter.anyDropped(head)) {
            sliceFrom = bytes.readerIndex(); // the head goes on as it came, in one piece with the body bytes after it
        } else {
            ByteBuf out = HeadWriter.begin(ctx.alloc(), head, 64 + (setCookie == null ? 0 : setCookie.length()), false);
            if (addConnection) {
                out.writeBytes(closeAfterResponse ? CONNECTION_CLOSE : CONNECTION_KEEP_ALIVE);
            }
            if (addChunked) {
                out.writeBytes(CHUNKED);
            }
            if (setCookie != null) {
                HeadWriter.header(out, SET_COOKIE, setCookie);
            }
            HeadWriter.end(out);
            ctx.write(out, ctx.voidPromise());
            clientNeedsFlush = true;
            sliceFrom = bodyStart;
        }
        head.reset();
        bytes.readerIndex(bodyStart);
        responseBytes(bytes, sliceFrom);
    }

    /**
     * Passes on the response body bytes in {@code data} (released or handed on here).
     *
     * @param sliceFrom where the bytes to pass on start when before the reader index (a head passed on as it
     *                  came), else -1
     */
    private void responseBytes(ByteBuf data, int sliceFrom) {
        int start = data.readerIndex();
        int from = sliceFrom >= 0 ? sliceFrom : start;
        int end;
        if (bodyMode == AS_IT_CAME) {
            end = responseBody.scan(data, start, data.writerIndex());
            if (end < 0) {
                data.release();
                ctx.close(); // the response is cut; the client must not take it for whole
                return;
            }
            bytesToClient += end - start;
            if (end > from) {
                if (end == data.writerIndex()) {
                    data.readerIndex(from); // all of it goes on: the buffer itself, no slice
                    ctx.write(data, ctx.voidPromise());
                    data = null;
                } else {
                    ctx.write(data.retainedSlice(from, end - from), ctx.voidPromise());
                }
                clientNeedsFlush = true;
            }
        } else if (bodyMode == RECHUNKED) {
            end = data.writerIndex();
            int n = end - start;
            bytesToClient += n;
            if (n > 0) {
                ByteBuf size = ctx.alloc().directBuffer(12);
                ByteBufUtil.writeAscii(size, Integer.toHexString(n));
                size.writeBytes(HeadWriter.CRLF);
                ctx.write(size, ctx.voidPromise());
                ctx.write(data.retainedSlice(start, n), ctx.voidPromise());
                ctx.write(Unpooled.wrappedBuffer(HeadWriter.CRLF), ctx.voidPromise());
                clientNeedsFlush = true;
            }
        } else {
            ChunkedScanner chunks = responseBody.chunks();
            end = start;
            while (end < data.writerIndex() && !chunks.done()) {
                int stepStart = end;
                end = chunks.step(data, stepStart, data.writerIndex());
                if (end < 0) {
                    data.release();
                    ctx.close();
                    return;
                }
                if (chunks.lastStepData() && end > stepStart) {
                    bytesToClient += end - stepStart;
                    ctx.write(data.retainedSlice(stepStart, end - stepStart), ctx.voidPromise());
                    clientNeedsFlush = true;
                }
            }
        }
        boolean leftover = data != null && end < data.writerIndex();
        if (data != null) {
            data.release();
        }
        if (!responseBody.done()) {
            return; // the next read from the worker is asked for once the client can take more
        }
        // bytes after the end of the response: the worker is out of step, its connection cannot be reused
        responseEnded(!leftover);
    }

    private void responseEnded(boolean reusable) {
        clientNeedsFlush = false;
        ChannelFuture written = null;
        if (!requestSent || closeAfterResponse || closing) {
            written = ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
        } else {
            ctx.flush();
        }
        responseComplete(written, reusable);
    }

    void backendReadComplete() {
        if (clientNeedsFlush) {
            clientNeedsFlush = false;
            ctx.flush();
        }
    }

    /** Whether the client can take more of the response now: the worker's next bytes are read only then. */
    boolean clientWritable() {
        return ctx.channel().isWritable();
    }

    void backendWritabilityChanged(boolean writable) {
        if (writable && awaitingBackendWritable) {
            awaitingBackendWritable = false;
            bodyDeadline(0); // the client's turn again
            Resume.reading(ctx.channel());
        }
    }

    /** The backend connection closed while lent to this exchange. */
    void backendClosed() {
        if (state == State.FORWARDING && responseStarted && !switching
                && responseBody.kind() == BodyFraming.Kind.UNTIL_CLOSE) {
            // the worker ended its body by closing: that is the end of the response
            if (bodyMode == RECHUNKED) {
                ctx.write(Unpooled.wrappedBuffer(LAST_CHUNK), ctx.voidPromise());
            }
            responseEnded(false);
            return;
        }
        Backend lost = backend;
        detachBackend();
        if (state != State.FORWARDING) {
            return;
        }
        if (!responseStarted) {
            if (bodyBytes == 0 && idempotent && retries < MAX_RETRIES) {
                // typically a kept-alive connection the worker closed just as the request went out
                retries++;
                state = State.CONNECTING;
                dispatch();
                return;
            }
            fail(502, "worker " + lost.owner() + " closed the connection before answering");
            return;
        }
        ctx.close(); // the response was cut short: closing tells the client so
    }

    private void responseComplete(ChannelFuture written, boolean reusable) {
        long now = System.nanoTime();
        Backend served = backend;
        served.requestCompleted(now - requestStartedAt);
        upstream.transferred(served, bytesFromClient, bytesToClient);
        Channel channel = detachBackend();
        // a final answer to Expect: 100-continue without a 100 first: the worker may have skipped the body or
        // reset its parser before it (Netty does), so what the client sent after cannot be trusted to be consumed
        if (reusable && backendKeepAlive && requestSent && !awaitingContinue && channel.isActive()) {
            channel.read(); // idle in the pool, it still notices the worker closing it
            if (!pool.offer(served, channel)) {
                channel.close();
            }
        } else {
            channel.close();
        }
        if (written != null) {
            // !requestSent: the worker answered before the body was all there; the rest cannot be skipped safely
            state = State.CLOSED;
            releaseBuffers();
            LingeringClose.after(written);
            return;
        }
        awaitRequest(now);
    }

    /** The worker accepted the upgrade (a WebSocket, say): from here on both connections are relayed as bytes. */
    private void switchProtocols() {
        switching = true;
        deadline = Long.MAX_VALUE;
        HopByHopHeaders.drop(responseHead, true);
        ByteBuf out = HeadWriter.begin(ctx.alloc(), responseHead, 32, false);
        out.writeBytes(CONNECTION_UPGRADE);
        HeadWriter.end(out);
        ctx.write(out, ctx.voidPromise());
        responseIn.skipBytes(responseHead.length());
        responseHead.reset();
        if (responseIn.isReadable()) {
            ctx.write(responseIn, ctx.voidPromise()); // the new protocol's first bytes came with the 101
        } else {
            responseIn.release();
        }
        responseIn = null;

        Channel client = ctx.channel();
        Channel toWorker = backendChannel;
        BackendLease tunnelLease = lease;
        lease = null; // the tunnel keeps the worker's count until it closes
        detachBackend();
        state = State.CLOSED;
        ctx.flush();
        if (in != null && in.isReadable()) {
            toWorker.writeAndFlush(in, toWorker.voidPromise()); // the client's first bytes in the new protocol
            in = null;
        }
        toWorker.pipeline().remove(BackendResponseHandler.class);
        client.pipeline().remove(this);
        Tunnel.join(upstream, client, toWorker, tunnelLease, RequestLine::isStartOf);
    }

    /** Writes a scanned head with its dropped lines left out, and takes it out of {@link #responseIn}. */
    private void writeHeadAsIs(MessageHead head) {
        ByteBuf out;
        if (head.bareLf() || HeadWriter.anyDropped(head)) {
            out = HeadWriter.begin(ctx.alloc(), head, 0, false);
            HeadWriter.end(out);
            responseIn.skipBytes(head.length());
        } else {
            out = responseIn.readRetainedSlice(head.length());
        }
        head.reset();
        ctx.write(out, ctx.voidPromise());
        if (!responseIn.isReadable()) {
            responseIn.release();
            responseIn = null;
        }
    }

    // ---- endings ----

    private void fail(int status, String what) {
        Channel channel = detachBackend();
        if (channel != null) {
            channel.close();
        }
        cancelTimer();
        State was = state;
        state = State.CLOSED;
        releaseBuffers();
        if (responseStarted || was == State.CLOSED) {
            ctx.close();
            return;
        }
        LingeringClose.after(ctx.writeAndFlush(status == 503
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
            backendNeedsFlush = false;
        }
        if (responseIn != null) {
            responseIn.release();
            responseIn = null;
        }
        responseHead.reset();
        return channel;
    }

    private void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }

    private void releaseInIfEmpty() {
        if (in != null && !in.isReadable()) {
            in.release();
            in = null;
        }
    }

    private void releaseRequestOut() {
        if (requestOut != null) {
            requestOut.release();
            requestOut = null;
        }
    }

    private void releaseBuffers() {
        if (in != null) {
            in.release();
            in = null;
        }
        if (responseIn != null) {
            responseIn.release();
            responseIn = null;
        }
        releaseRequestOut();
    }

    // ---- the deadline: header, idle, response ----

    /** @param now System.nanoTime(), or 0 if the caller has none at hand */
    private void deadlineAt(long at, long now) {
        deadline = at;
        if (at < timerAt) {
            cancelTimer();
            timerAt = at;
            long delay = at - (now != 0 ? now : System.nanoTime());
            timer = ctx.executor().schedule(timerTask, Math.max(0, delay), TimeUnit.NANOSECONDS);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timerAt = Long.MAX_VALUE;
    }

    private void timerFired() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        if (state == State.CLOSED || deadline == Long.MAX_VALUE) {
            return;
        }
        long now = System.nanoTime();
        if (now < deadline) {
            deadlineAt(deadline, now); // the deadline moved on since the timer was set
            return;
        }
        if (state == State.AWAIT_HEAD) {
            if (firstByteAt == 0) {
                ctx.close(); // an idle keep-alive connection: closed without a word, as every server does
            } else {
                fail(408, "the request headers did not arrive within header-timeout="
                        + settings.headerTimeout().toMillis() + "ms");
            }
        } else if (state == State.FORWARDING && !requestSent && !switching) {
            if (awaitingBackendWritable) {
                fail(504, "worker " + backend.owner() + " did not take the request body within response-timeout="
                        + settings.responseTimeout().toMillis() + "ms");
            } else {
                // a stalled upload, or an Expect: 100-continue never followed by its body: the client and a
                // worker connection are not held for ever; the worker's connection is closed, not pooled (fail)
                fail(408, "no request body bytes arrived within body-timeout=" + settings.bodyTimeout().toMillis()
                        + "ms");
            }
        } else if (state == State.FORWARDING && !responseStarted && !switching) {
            int owner = backend.owner();
            fail(504, "worker " + owner + " did not answer within response-timeout="
                    + settings.responseTimeout().toMillis() + "ms");
        }
    }
}
