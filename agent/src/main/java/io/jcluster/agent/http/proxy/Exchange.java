package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendLease;
import io.jcluster.agent.balancer.Upstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * The request/response exchange in progress on one client connection, and its state machine:
 * {@code AWAIT_HEAD -> CONNECTING -> FORWARDING -> AWAIT_HEAD} (the next request) or {@code CLOSED}.
 * One instance per client connection, recycled: {@link #begin} sets every per-request field for the next request,
 * so a keep-alive connection allocates no exchange per request. Everything runs on the client's event loop,
 * backend connections included: plain fields suffice.
 *
 * <p>The work is done by the exchange's parts, each on the fields here: {@link RequestReceiver} (the client's
 * bytes, request heads), {@link RequestForwarder} (head and body to the worker), {@link WorkerDispatch} (choosing
 * and reaching a worker, with {@link RetryPolicy}), {@link ResponseReceiver} (the worker's heads, the response's
 * end) with a {@link BodyRelay} per body kind, {@link UpgradeHandOff} and {@link Deadlines}.
 */
final class Exchange implements WorkerEvents {

    enum State {
        /** Between requests: waiting for the next request head. */
        AWAIT_HEAD,
        /** A request head is in; its backend connection is being made. */
        CONNECTING,
        /** The request is going to the worker and/or the response coming back. */
        FORWARDING,
        /** Ended; nothing more happens on this connection. */
        CLOSED
    }

    // the connection's, fixed
    /** The client connection (or HTTP/2 stream) the requests come from and the responses go to. */
    final ClientSide client;
    /**
     * Each exchange serves one request only and its client's end is the response's end (an HTTP/2 stream): the
     * response needs no connection header, and nothing is awaited after it.
     */
    final boolean oneRequest;
    final HttpSettings settings;
    final Upstream upstream;
    /** Idle connections to the workers this connection's requests may reuse. */
    final BackendConnectionPool pool;
    final Deadlines deadlines;
    final RequestReceiver receiver;
    final RequestForwarder forwarder;
    final WorkerDispatch dispatch;
    final ResponseReceiver responses;
    final UpgradeHandOff.Tunnels tunnels;
    /** The response cache's part ({@code cache=}); null when it is off. */
    final CacheLookup cache;
    /** This connection's part in the access log ({@code access-log=}); null when it is off. */
    final AccessRecord access;

    State state = State.AWAIT_HEAD;
    /** Graceful shutdown or a client half-close: the connection ends after the request in progress. */
    boolean closing;

    // the request
    /**
     * Its head as the worker gets it (in {@link #headBuffer}, not owned: never released on its own); kept until the
     * response is complete, to send it again on a retry.
     */
    ByteBuf requestOut;
    /** The buffer each request's head is written into, kept across the connection's requests (and streams). */
    final HeadBuffer headBuffer = new HeadBuffer();
    boolean keepAlive;
    boolean http10;
    boolean headMethod;
    boolean idempotent;
    boolean upgrade;
    String stickyCookie;
    boolean requestSent;
    /** The request asked for 100-continue, has a body, and the worker has not sent its 100 yet. */
    boolean awaitingContinue;
    long bodyBytes;
    /** When the request began (its first byte, or its head if bytes came with the previous request's). */
    long startedAt;
    long bytesFromClient;
    long bytesToClient;

    // its response
    /** The worker's bytes not passed on yet: a head not yet whole. */
    ByteBuf responseIn;
    boolean responseStarted;
    boolean switching;
    boolean backendKeepAlive;
    boolean closeAfterResponse;
    BodyRelay relay;
    boolean clientNeedsFlush;

    // the worker it went to
    Backend backend;
    BackendLease lease;
    Channel backendChannel;
    BackendResponseHandler backendHandler;
    boolean awaitingBackendWritable;
    boolean backendNeedsFlush;

    Exchange(ClientSide client, HttpSettings settings, Upstream upstream, BackendConnectionPool pool,
             ForwardedHeaders forwarded, WorkerSelection selection, UpgradeHandOff.Tunnels tunnels) {
        this.client = client;
        this.oneRequest = client.http2();
        this.settings = settings;
        this.upstream = upstream;
        this.pool = pool;
        this.tunnels = tunnels;
        this.deadlines = new Deadlines(this);
        this.receiver = new RequestReceiver(this, forwarded);
        this.forwarder = new RequestForwarder(this);
        this.dispatch = new WorkerDispatch(this, selection);
        this.responses = new ResponseReceiver(this);
        this.cache = settings.cache() == null ? null : new CacheLookup(this, settings.cache(), forwarded);
        this.access = settings.accessLog() == null ? null
                : new AccessRecord(settings.accessLog(), client.remoteAddress(), client.http2());
    }

    /** Sets every per-request field for a request whose head is in, and goes to CONNECTING. */
    void begin(ByteBuf requestOut, boolean http10, boolean keepAlive, boolean headMethod, boolean idempotent,
               boolean upgrade, boolean awaitingContinue, String stickyCookie, long startedAt) {
        this.requestOut = requestOut;
        this.http10 = http10;
        this.keepAlive = keepAlive;
        this.headMethod = headMethod;
        this.idempotent = idempotent;
        this.upgrade = upgrade;
        this.awaitingContinue = awaitingContinue;
        this.stickyCookie = stickyCookie;
        this.startedAt = startedAt;
        requestSent = false;
        bodyBytes = 0;
        bytesFromClient = 0;
        bytesToClient = 0;
        responseStarted = false;
        switching = false;
        backendKeepAlive = false;
        closeAfterResponse = false;
        relay = PassThroughRelay.INSTANCE;
        clientNeedsFlush = false;
        backend = null;
        awaitingBackendWritable = false;
        backendNeedsFlush = false;
        dispatch.retries.reset();
        state = State.CONNECTING;
        deadlines.clear(); // nothing to time until the request is out
    }

    /** Between requests: takes the next one if its bytes are here, else waits for it (idle-timeout). */
    void awaitRequest(long now) {
        state = State.AWAIT_HEAD;
        responseStarted = false; // the last exchange's: an error in the next head is answered, not just closed
        releaseRequestOut();
        receiver.awaitHead(now);
    }

    /**
     * An HTTP/2 stream's exchange (new, or taken again after its previous stream ended): the stream's request
     * bytes begin with {@code head}, as a new connection's first read would.
     */
    /**
     * A new HTTP/2 stream's request, its head already written into {@link RequestReceiver#head} (valid: it passed
     * the head rules; else it is answered as a broken HTTP/1.1 head is).
     */
    void startStream(boolean valid) {
        state = State.AWAIT_HEAD;
        closing = false;
        responseStarted = false;
        releaseRequestOut();
        receiver.startStream(valid);
    }

    // ---- client events (HttpProxyHandler) ----

    void clientRead(ByteBuf data) {
        if (state == State.CLOSED || !data.isReadable()) {
            data.release(); // input after the final answer, drained by a lingering close
            return;
        }
        receiver.read(data); // a request body past the worker's high-water mark is flushed there (afterBody)
    }

    void clientReadComplete() {
        if (backendNeedsFlush && backendChannel != null) {
            backendNeedsFlush = false;
            backendChannel.flush(); // one flush per read batch of a body, not per piece
        }
        if (state != State.CLOSED && !receiver.hasInput() && !awaitingBackendWritable && !receiver.pausedForClient()) {
            // nothing waits here: keep the read interest on. Turning it off after each request and on again for
            // the next costs two epoll_ctl calls per request; a client that sends its next request early gets
            // one read buffered at most (then the receiver holds bytes and reads stop until they are taken)
            client.read();
        }
    }

    /** The client can take more of the response again: resume reading from the worker (see clientWritable). */
    void clientWritabilityChanged() {
        if (backendChannel != null && client.isWritable()) {
            deadlines.sending();
            backendChannel.read();
        } else if (client.isWritable()) {
            receiver.clientWritable();
        }
    }

    /** The client will send nothing more: answer what is in progress, then close. */
    void clientInputShutdown() {
        closing = true;
        keepAlive = false;
        if (state == State.AWAIT_HEAD || state == State.CLOSED) {
            client.close();
        }
    }

    void clientClosed() {
        clientGone();
        deadlines.cancel();
        headBuffer.release();
    }

    /**
     * An HTTP/2 stream's end: as {@link #clientClosed}, but the deadline timer stays for the exchange's next stream
     * (it fires once into a closed exchange and stops, or finds the next stream's deadline and moves to it): a
     * stream costs no timer of its own. {@link #removed} cancels it when the connection ends.
     */
    void streamEnded() {
        clientGone();
    }

    private void clientGone() {
        if (access != null) {
            access.closed(System.nanoTime(), bytesToClient, backend == null ? -1 : backend.owner());
        }
        state = State.CLOSED;
        Channel channel = detachBackend();
        if (channel != null) {
            channel.close(); // mid-exchange: the connection is in an unknown state, not reusable
        }
        releaseBuffers();
    }

    /** Closed, or a tunnel now (whose backend connection leaves the pool's reckoning too). */
    void removed() {
        pool.clientClosed();
        deadlines.cancel();
        releaseBuffers();
        headBuffer.release();
    }

    void closeIfIdle() {
        closing = true;
        if (state == State.AWAIT_HEAD && !receiver.hasInput()) {
            client.close();
        }
    }

    // ---- worker events (BackendResponseHandler) ----

    @Override
    public void backendRead(ByteBuf data) {
        if (state != State.FORWARDING || switching) {
            data.release();
            return;
        }
        responses.read(data);
        if (clientNeedsFlush && !client.isWritable()) {
            // Past the client's high-water mark: flush now rather than at backendReadComplete, which Netty's
            // io_uring transport (4.2.18) does not always deliver after a read once the worker has sent its FIN
            // (IoUringHttpResumeTest). Bytes left unflushed there keep the client unwritable for good, and the
            // worker connection paused waiting for it. Every relay writes the worker's bytes inside responses.read,
            // so this one check covers them all: one isWritable() per read. (Request bodies: the same is done in
            // RequestForwarder.afterBody.)
            clientNeedsFlush = false;
            client.flush();
        }
    }

    @Override
    public void backendReadComplete() {
        if (clientNeedsFlush) {
            clientNeedsFlush = false;
            client.flush();
        }
    }

    @Override
    public boolean clientWritable() {
        if (client.isWritable()) {
            return true;
        }
        deadlines.send(0); // the relay pauses here until the client takes more: send-timeout
        return false;
    }

    @Override
    public void backendWritabilityChanged(boolean writable) {
        if (writable && awaitingBackendWritable) {
            awaitingBackendWritable = false;
            deadlines.body(0); // the client's turn again
            client.read();
        }
    }

    @Override
    public void backendClosed() {
        if (state == State.FORWARDING && responseStarted && !switching && responses.endsByClose()) {
            relay.endedByClose(this); // the worker ended its body by closing: that is the end of the response
            responses.ended(false);
            return;
        }
        Backend lost = backend;
        detachBackend();
        if (state != State.FORWARDING) {
            return;
        }
        if (!responseStarted) {
            if (dispatch.retries.resendAfterClose(idempotent, bodyBytes)) {
                state = State.CONNECTING;
                dispatch.dispatch();
                return;
            }
            fail(502, "worker " + lost.owner() + " closed the connection before answering");
            return;
        }
        client.close(); // the response was cut short: closing tells the client so
    }

    // ---- endings ----

    /** The request in progress was answered from the cache (written, not flushed): its next one, or the end. */
    void answeredFromCache() {
        if (!keepAlive || closing) {
            closeAfterCachedAnswer();
            return;
        }
        client.flush();
        awaitRequest(System.nanoTime());
    }

    /** An answer from the cache was the last on this connection. */
    void closeAfterCachedAnswer() {
        state = State.CLOSED;
        deadlines.cancel();
        releaseBuffers();
        client.endAfter(Unpooled.EMPTY_BUFFER);
    }

    /** Ends the connection: with an error response if none has begun, else by closing. */
    void fail(int status, String what) {
        if (cache != null && cache.rescue(status)) {
            return; // a stale response answered instead (stale-if-error)
        }
        Channel channel = detachBackend();
        if (channel != null) {
            channel.close();
        }
        deadlines.cancel();
        State was = state;
        state = State.CLOSED;
        releaseBuffers();
        if (responseStarted || was == State.CLOSED) {
            client.close();
            return;
        }
        if (access != null) {
            access.parentAnswered(status, System.nanoTime());
        }
        client.endAfter(status == 503
                ? ErrorResponses.retryLater(client.alloc(), what, 1)
                : ErrorResponses.of(client.alloc(), status, what));
    }

    /** Returns the backend channel (or null), no longer tied to this exchange; releases the request's lease. */
    Channel detachBackend() {
        releaseLease();
        Channel channel = backendChannel;
        if (channel != null) {
            backendHandler.giveBack();
            backendChannel = null;
            backendHandler = null;
            awaitingBackendWritable = false;
            backendNeedsFlush = false;
        }
        releaseResponseIn();
        responses.reset();
        return channel;
    }

    void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }

    void releaseResponseIn() {
        if (responseIn != null) {
            responseIn.release();
            responseIn = null;
        }
    }

    private void releaseRequestOut() {
        requestOut = null; // the head buffer's, kept for the next request
    }

    void releaseBuffers() {
        if (cache != null) {
            cache.abandon();
        }
        receiver.release();
        releaseResponseIn();
        releaseRequestOut();
    }
}
