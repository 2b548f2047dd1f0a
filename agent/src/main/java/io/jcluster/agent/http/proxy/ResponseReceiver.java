package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.HopByHopHeaders;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * The worker's side of the exchange: its response heads (1xx passed on, 101 handed to {@link UpgradeHandOff}, the
 * final one rewritten only where it must be) and its body, passed on by the {@link BodyRelay} the framing calls for.
 * A head that needs no change goes on as it came, in one piece with the body bytes after it. Only an HTTP/1.0
 * client, which cannot take chunks, gets a chunked response's data without its framing.
 */
final class ResponseReceiver {

    private static final byte[] CONNECTION_CLOSE = HeadWriter.ascii("connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = HeadWriter.ascii("connection: keep-alive\r\n");
    private static final byte[] CHUNKED = HeadWriter.ascii("transfer-encoding: chunked\r\n");
    private static final byte[] SET_COOKIE = HeadWriter.ascii("set-cookie: ");

    private final Exchange x;
    final MessageHead head = new MessageHead(false, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_RESPONSE_HEADERS);
    /** Where the response body ends. */
    final BodyFraming body = new BodyFraming();

    ResponseReceiver(Exchange exchange) {
        this.x = exchange;
    }

    /** Bytes from the worker while the exchange is FORWARDING. */
    void read(ByteBuf data) {
        if (x.responseStarted) {
            bodyBytes(data, -1);
            return;
        }
        x.responseIn = Cumulation.append(x.client.alloc(), x.responseIn, data);
        while (true) {
            int outcome = head.scan(x.responseIn);
            if (outcome == MessageHead.NEED_MORE) {
                return;
            }
            if (outcome == MessageHead.FAILED) {
                String why = head.error();
                int owner = x.backend.owner();
                x.detachBackend().close();
                x.fail(502, "worker " + owner + " sent a malformed response (" + why + ")");
                return;
            }
            int status = head.status();
            if (status == 101) {
                if (x.upgrade) {
                    UpgradeHandOff.switchProtocols(x, head);
                } else {
                    int owner = x.backend.owner();
                    x.detachBackend().close();
                    x.fail(502, "worker " + owner + " switched protocols without being asked to");
                }
                return;
            }
            if (status >= 200) {
                finalHead();
                return;
            }
            // 100 Continue, 103 Early Hints: passed on; the real response follows
            if (status == 100) {
                x.awaitingContinue = false;
            }
            HopByHopHeaders.drop(head, false);
            writeHeadAsIs();
            x.client.flush();
            if (x.responseIn == null) {
                return;
            }
        }
    }

    /** Whether the response body in progress is ended by the worker closing its connection. */
    boolean endsByClose() {
        return body.kind() == BodyFraming.Kind.UNTIL_CLOSE;
    }

    void reset() {
        head.reset();
    }

    private void finalHead() {
        ClientSide client = x.client;
        int status = head.status();
        if (x.access != null) {
            x.access.status(status);
        }
        x.responseStarted = true;
        if (x.requestSent) {
            x.deadlines.clear();
        } // else the body deadline stays: the client must still send the rest of its body
        x.backendKeepAlive = head.keepAlive();
        x.closeAfterResponse = !x.keepAlive || x.closing;
        x.relay = PassThroughRelay.INSTANCE;
        body.ofResponse(head, x.headMethod || status == 204 || status == 304);
        HopByHopHeaders.drop(head, false);
        String setCookie = x.settings.stickiness().learn(x.stickyCookie, head, x.backend, x.settings.secure());
        boolean addChunked = false;
        if (body.kind() == BodyFraming.Kind.UNTIL_CLOSE) {
            x.backendKeepAlive = false;
            if (x.http10) {
                x.closeAfterResponse = true; // HTTP/1.0 knows bodies ended by closing
            } else if (!x.oneRequest) { // an HTTP/2 stream's end is the body's end: no chunks
                x.relay = RechunkingRelay.INSTANCE;
                addChunked = true;
            }
        } else if (x.http10 && body.kind() == BodyFraming.Kind.CHUNKED) {
            for (int i = 0; i < head.count(); i++) {
                if (head.kind(i) == MessageHead.TRANSFER_ENCODING) {
                    head.drop(i); // HTTP/1.0 has no chunks
                }
            }
            x.relay = DechunkingRelay.INSTANCE;
            x.closeAfterResponse = true;
        }
        CacheLookup cache = x.cache;
        if (cache != null && cache.responseHead(head, body)) {
            // the cache answered instead (or before): the worker's response is read to its end and dropped
            ByteBuf bytes = x.responseIn;
            x.responseIn = null;
            bytes.skipBytes(head.length());
            head.reset();
            bodyBytes(bytes, -1);
            return;
        }
        byte[] cacheStatus = cache == null ? null : cache.statusLine();
        if (cacheStatus != null) {
            CacheStatus.dropWorkers(head);
        }
        if (x.oneRequest) {
            // an HTTP/2 stream frames the scanned head: no HTTP/1.1 head written to be scanned again
            client.responseHead(head, body, setCookie, cacheStatus == null ? null : cache.shownStatus());
            x.clientNeedsFlush = true;
            ByteBuf in = x.responseIn;
            x.responseIn = null;
            in.skipBytes(head.length());
            head.reset();
            bodyBytes(in, -1);
            return;
        }
        // an HTTP/2 stream's response has no connection header: its end is the stream's
        boolean addConnection = !x.oneRequest && (x.closeAfterResponse || x.http10);
        ByteBuf bytes = x.responseIn;
        x.responseIn = null;
        int bodyStart = bytes.readerIndex() + head.length();
        int sliceFrom;
        if (!addConnection && !addChunked && setCookie == null && cacheStatus == null && !head.bareLf()
                && !HeadWriter.anyDropped(head)) {
            sliceFrom = bytes.readerIndex(); // the head goes on as it came, in one piece with the body bytes after it
        } else {
            ByteBuf out = HeadWriter.begin(client.alloc(), head, 64 + (setCookie == null ? 0 : setCookie.length()), false);
            if (addConnection) {
                out.writeBytes(x.closeAfterResponse ? CONNECTION_CLOSE : CONNECTION_KEEP_ALIVE);
            }
            if (addChunked) {
                out.writeBytes(CHUNKED);
            }
            if (setCookie != null) {
                HeadWriter.header(out, SET_COOKIE, setCookie);
            }
            if (cacheStatus != null) {
                out.writeBytes(cacheStatus);
            }
            HeadWriter.end(out);
            client.write(out);
            x.clientNeedsFlush = true;
            sliceFrom = bodyStart;
        }
        head.reset();
        bytes.readerIndex(bodyStart);
        bodyBytes(bytes, sliceFrom);
    }

    /**
     * Passes on the response body bytes in {@code data} (released or handed on here).
     *
     * @param sliceFrom where the bytes to pass on start when before the reader index (a head passed on as it
     *                  came), else -1
     */
    private void bodyBytes(ByteBuf data, int sliceFrom) {
        int outcome = x.relay.relay(x, data, sliceFrom);
        if (outcome == BodyRelay.CUT || !body.done()) {
            return; // the next read from the worker is asked for once the client can take more
        }
        // bytes after the end of the response: the worker is out of step, its connection cannot be reused
        ended(outcome == BodyRelay.WHOLE);
    }

    /**
     * The response is all out to the client: flushed, its worker connection back in the pool if it is in step,
     * and the next request awaited, or the connection closed.
     */
    void ended(boolean reusable) {
        if (x.cache != null) {
            x.cache.responseEnded(reusable);
        }
        x.clientNeedsFlush = false;
        boolean last = !x.requestSent || x.closeAfterResponse || x.closing;
        if (!last) {
            x.client.flush();
        }
        long now = System.nanoTime();
        Backend served = x.backend;
        served.requestCompleted(now - x.startedAt);
        if (x.access != null) {
            x.access.ended(now, x.bytesToClient, served.owner());
        }
        x.upstream.transferred(served, x.bytesFromClient, x.bytesToClient);
        Channel channel = x.detachBackend();
        // a final answer to Expect: 100-continue without a 100 first: the worker may have skipped the body or
        // reset its parser before it (Netty does), so what the client sent after cannot be trusted to be consumed
        if (reusable && x.backendKeepAlive && x.requestSent && !x.awaitingContinue && channel.isActive()) {
            channel.read(); // idle in the pool, it still notices the worker closing it
            if (!x.pool.offer(served, channel)) {
                channel.close();
            }
        } else {
            channel.close();
        }
        if (last) {
            // !requestSent: the worker answered before the body was all there; the rest cannot be skipped safely
            x.state = Exchange.State.CLOSED;
            x.releaseBuffers();
            x.client.endAfter(Unpooled.EMPTY_BUFFER);
            return;
        }
        x.awaitRequest(now);
    }

    /** Writes a scanned 1xx head with its dropped lines left out, and takes it out of the exchange's responseIn. */
    private void writeHeadAsIs() {
        ByteBuf out;
        ByteBuf responseIn = x.responseIn;
        if (head.bareLf() || HeadWriter.anyDropped(head)) {
            out = HeadWriter.begin(x.client.alloc(), head, 0, false);
            HeadWriter.end(out);
            responseIn.skipBytes(head.length());
        } else {
            out = responseIn.readRetainedSlice(head.length());
        }
        head.reset();
        x.client.write(out);
        if (!responseIn.isReadable()) {
            responseIn.release();
            x.responseIn = null;
        }
    }
}
