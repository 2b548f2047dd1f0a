package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.HopByHopHeaders;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;

/**
 * The client's side of a connection: its bytes not passed on yet (a head not yet whole, pipelined requests, body
 * bytes while connecting), and each request head, checked and rewritten into the head the worker gets. Requests are
 * taken one at a time (the next is read once the previous response has been sent), so pipelined requests are
 * answered in order.
 *
 * <p>Nothing is decoded into message objects: {@link MessageHead} finds the framing and the few headers a proxy
 * acts on in the raw bytes, and the head goes on as it came minus the hop-by-hop lines plus the forwarding headers.
 */
final class RequestReceiver {

    private static final byte[] CONNECTION_UPGRADE = HeadWriter.ascii("connection: upgrade\r\n");
    private static final byte[] CONNECTION_UPGRADE_H2C = HeadWriter.ascii("connection: upgrade, http2-settings\r\n");
    private static final byte[] HOST = HeadWriter.ascii("host: ");

    private final Exchange x;
    private final ForwardedHeaders forwarded;
    /** The request head in progress: scanned from the client's bytes, or written from an HTTP/2 stream's fields. */
    final MessageHead head = new MessageHead(true, HttpSettings.MAX_REQUEST_LINE,
            HttpSettings.MAX_REQUEST_HEADERS);
    /** Where the request in progress's body ends. */
    final BodyFraming body = new BodyFraming();

    /** The client's bytes not passed on yet. */
    ByteBuf in;
    /** When the first byte of the awaited request arrived; 0 while none has. */
    private long firstByteAt;
    /** Answers from the cache wait for the client to take the ones it was sent (see nextAfterCachedAnswer). */
    private boolean pausedForClient;

    RequestReceiver(Exchange exchange, ForwardedHeaders forwarded) {
        this.x = exchange;
        this.forwarded = forwarded;
    }

    void read(ByteBuf data) {
        Exchange.State state = x.state;
        if (state == Exchange.State.AWAIT_HEAD && firstByteAt == 0) {
            firstByteAt = System.nanoTime();
        }
        in = Cumulation.append(x.client.alloc(), in, data);
        if (state == Exchange.State.AWAIT_HEAD) {
            if (!pausedForClient) {
                readHead();
            }
        } else if (state == Exchange.State.FORWARDING && !x.requestSent) {
            long now = System.nanoTime();
            x.forwarder.forwardBody();
            if (x.state == Exchange.State.FORWARDING) {
                x.forwarder.afterBody(now);
            }
        }
        // CONNECTING, or FORWARDING a request already sent: the bytes (a pipelined request) wait in `in`
    }

    /** Whether answers from the cache wait for the client to take those it was sent: nothing more is read. */
    boolean pausedForClient() {
        return pausedForClient;
    }

    boolean hasInput() {
        return in != null && in.isReadable();
    }

    /** Whether a request head has begun to arrive (the header-timeout runs) rather than none (idle-timeout). */
    boolean headBegun() {
        return firstByteAt != 0;
    }

    /**
     * A new HTTP/2 stream's request, whose head the stream has written into {@link #head} (h2.RequestHead): it is
     * taken as a scanned one is; nothing of the last request is kept.
     */
    void startStream(boolean valid) {
        release();
        firstByteAt = System.nanoTime();
        pausedForClient = false;
        if (!valid) {
            refuse();
        } else if (startRequest()) {
            nextAfterCachedAnswer(); // no input waits: the stream's end, or its client's reading, comes next
        }
    }

    void awaitHead(long now) {
        head.reset(); // the last request's head, kept until its exchange ended (CacheLookup reads it)
        firstByteAt = 0;
        if (hasInput()) {
            firstByteAt = now; // pipelined: the next request is already here
            readHead();
            return;
        }
        x.deadlines.idle(now);
        x.client.read();
    }

    private void readHead() {
        do {
            int outcome = head.scan(in);
            if (outcome == MessageHead.NEED_MORE) {
                // part of a head: from its first byte on, the whole head must come within header-timeout
                x.deadlines.header(firstByteAt, System.nanoTime());
                x.client.read();
                return;
            }
            if (outcome == MessageHead.FAILED) {
                refuse();
                return;
            }
        } while (startRequest() && nextAfterCachedAnswer());
    }

    /** The head broke a rule: the client is told which. */
    private void refuse() {
        int status = head.violation().defaultStatus();
        x.fail(status, status == 400 ? "malformed request (" + head.error() + ")" : head.error());
    }

    /**
     * After an answer from the cache: whether the next request's head is here to take now (a loop, not a call
     * deeper per pipelined request); else the connection waits for it, or for the client to take what it was sent.
     */
    private boolean nextAfterCachedAnswer() {
        long now = System.nanoTime();
        firstByteAt = 0;
        releaseIfEmpty();
        if (!x.client.isWritable()) {
            // a client that sends requests without reading the answers: no more is read from it, nor answered,
            // until it takes what it has (clientWritabilityChanged); it is closed after idle-timeout of this
            pausedForClient = true;
            x.deadlines.idle(now);
            return false;
        }
        if (!hasInput()) {
            x.deadlines.idle(now);
            x.client.read();
            return false;
        }
        firstByteAt = now;
        return true;
    }

    /** The client took what it was sent: the requests it sent meanwhile are taken. */
    void clientWritable() {
        if (pausedForClient && x.state == Exchange.State.AWAIT_HEAD) {
            pausedForClient = false;
            awaitHead(System.nanoTime());
        }
    }

    /** @return true when the request was answered from the cache and the connection awaits its next request */
    private boolean startRequest() {
        HttpSettings settings = x.settings;
        if (x.access != null) {
            x.access.request(head, firstByteAt != 0 ? firstByteAt : System.nanoTime());
        }
        boolean http10 = head.version() == 10;
        // h2c-upgrade=refuse: the request goes on as a plain HTTP/1.1 request, its Upgrade and HTTP2-Settings dropped
        // as hop-by-hop (the client gets an ordinary answer, as behind nginx): an HTTP/2 connection would carry
        // every later request to this one worker, past balancing and header rewriting
        boolean upgrade = head.upgrade() && (!head.upgradeToH2c() || settings.passH2c());
        boolean h2cSettings = upgrade && head.first(MessageHead.HTTP2_SETTINGS) >= 0;
        int expectation = head.expectation();
        if (expectation == MessageHead.EXPECT_OTHER) {
            // RFC 9110 section 10.1.1 allows a 417 here. Answered by the parent, not left to the worker: one that
            // answers 417 without reading the body (Netty's HttpObjectAggregator) reads that body as the next request
            // on a connection the parent would hand to the next client
            x.fail(417, "the only expectation this server meets is 100-continue");
            return false;
        }
        if (head.chunked()) {
            body.chunked();
        } else {
            body.length(Math.max(0, head.contentLength())); // a request without either has no body
        }
        boolean keepAlive = head.keepAlive() && !x.closing && !x.oneRequest;
        boolean headMethod = head.isHeadMethod();
        boolean idempotent = head.idempotent();
        boolean awaitingContinue = expectation == MessageHead.EXPECT_CONTINUE && !body.done();
        String stickyCookie = settings.stickiness().cookie(head);
        int cached = CacheLookup.FORWARD;
        if (x.cache != null) {
            cached = x.cache.lookup(head, body.done() && !upgrade, !keepAlive, http10);
            if (cached == CacheLookup.ANSWERED) {
                skipHead();
                head.reset();
                x.state = Exchange.State.AWAIT_HEAD;
                if (!keepAlive) {
                    x.closeAfterCachedAnswer();
                    return false;
                }
                x.client.flush();
                return true;
            }
            if (cached == CacheLookup.NOT_CACHED) {
                x.fail(504, "only-if-cached: nothing stored answers this request");
                return false;
            }
        }

        HopByHopHeaders.drop(head, upgrade);
        forwarded.drop(head);
        byte[] hostOverride = http10 && head.first(MessageHead.HOST) < 0
                ? HeadWriter.ascii(x.upstream.describe()) : null;
        // the workers are asked in HTTP/1.1, so that their connections can be kept and reused
        ByteBuf out = HeadWriter.begin(x.headBuffer.next(x.client.alloc(),
                head.length() + forwarded.room() + 64 + (x.cache == null ? 0 : x.cache.validatorRoom())), head, http10);
        if (upgrade) {
            out.writeBytes(h2cSettings ? CONNECTION_UPGRADE_H2C : CONNECTION_UPGRADE);
        }
        if (hostOverride != null) {
            out.writeBytes(HOST).writeBytes(hostOverride).writeBytes(HeadWriter.CRLF);
        }
        forwarded.write(out, head, hostOverride);
        if (x.cache != null) {
            x.cache.writeValidators(out);
        }
        HeadWriter.end(out);
        skipHead();
        if (x.cache == null) {
            head.reset();
        } // else the head stays as it is until the exchange ends (awaitHead resets it): CacheLookup reads it
        releaseIfEmpty();

        x.begin(out, http10, keepAlive, headMethod, idempotent, upgrade, awaitingContinue, stickyCookie,
                firstByteAt != 0 ? firstByteAt : System.nanoTime());
        if (cached == CacheLookup.WAIT) {
            x.deadlines.response(0); // a wait for another request's response is bounded as that response is
        } else {
            x.dispatch.dispatch();
        }
        return false;
    }

    /** The scanned head's bytes are done with (a head written from an HTTP/2 stream's fields has none in `in`). */
    private void skipHead() {
        if (in != null) {
            in.skipBytes(head.length());
        }
    }

    /** The waiting bytes, now the caller's (an upgrade's first bytes in the new protocol); null if none. */
    ByteBuf take() {
        ByteBuf taken = in;
        in = null;
        return taken;
    }

    void releaseIfEmpty() {
        if (in != null && !in.isReadable()) {
            in.release();
            in = null;
        }
    }

    void release() {
        if (in != null) {
            in.release();
            in = null;
        }
    }
}
