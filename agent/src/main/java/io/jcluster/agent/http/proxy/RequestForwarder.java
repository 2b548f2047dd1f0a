package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.BodyFraming;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Sends the request to the worker once its connection is there: the rewritten head, then the body as it came
 * ({@link BodyFraming} only counts where it ends), under back-pressure: while the worker's
 * connection takes no more, the client is not read.
 */
final class RequestForwarder {

    private final Exchange x;

    RequestForwarder(Exchange exchange) {
        this.x = exchange;
    }

    /** The backend connection is attached: head and what of the body is here go out in one flush. */
    void sendHead() {
        Channel channel = x.backendChannel;
        // the head buffer itself, retained, not a duplicate: a retry happens only after the failed connection released
        // it, and HeadBuffer reuses it for the next head only once no write holds it
        channel.write(x.requestOut.retain().readerIndex(0), channel.voidPromise());
        if (!x.requestSent) {
            forwardBody(); // what of the body is here already goes in the same flush
            if (x.state != Exchange.State.FORWARDING) {
                return;
            }
        }
        if (!x.requestSent) {
            // the body is not all here (a large upload, or a client waiting for 100 Continue): send the head now
            x.backendNeedsFlush = false;
            channel.flush();
            if (channel.isWritable()) {
                x.client.read();
            } else {
                x.awaitingBackendWritable = true;
            }
            x.deadlines.body(0);
            return;
        }
        afterBody(0);
    }

    /** Passes on the body bytes that are here (without flushing); marks the request sent once its body is whole. */
    void forwardBody() {
        Channel channel = x.backendChannel;
        RequestReceiver receiver = x.receiver;
        ByteBuf in;
        while ((in = receiver.in) != null && in.isReadable() && !receiver.body.done()) {
            int start = in.readerIndex();
            int end = receiver.body.scan(in, start, in.writerIndex());
            if (end < 0) {
                x.fail(400, "malformed request body (" + receiver.body.chunks().error() + ")");
                return;
            }
            int n = end - start;
            x.bodyBytes += n;
            x.bytesFromClient += n;
            if (n == in.readableBytes()) {
                channel.write(in, channel.voidPromise());
                receiver.in = null;
            } else {
                channel.write(in.readRetainedSlice(n), channel.voidPromise());
            }
            x.backendNeedsFlush = true;
        }
        receiver.releaseIfEmpty();
        if (receiver.body.done()) {
            x.requestSent = true;
        }
    }

    /**
     * After body bytes went out: flush and start the response clock if the request is whole, else read more.
     *
     * @param now System.nanoTime(), or 0 if the caller has none at hand
     */
    void afterBody(long now) {
        Channel channel = x.backendChannel;
        if (x.requestSent) {
            x.backendNeedsFlush = false;
            channel.flush();
            if (!x.responseStarted && !x.switching) {
                x.deadlines.response(now);
            } else {
                x.deadlines.sending(); // an early response: the body deadline is over (send-timeout if it pauses)
            }
        } else if (channel.isWritable()) {
            x.deadlines.body(now);
            x.client.read();
        } else {
            x.awaitingBackendWritable = true; // first: the flush may make the channel writable again at once
            x.backendNeedsFlush = false;
            channel.flush();
            x.deadlines.body(now);
        }
    }
}
