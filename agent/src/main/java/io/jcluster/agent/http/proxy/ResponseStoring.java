package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.cache.CachePolicy;
import io.jcluster.agent.http.cache.CacheRequest;
import io.jcluster.agent.http.cache.ResponseFacts;
import io.jcluster.agent.http.cache.StoredResponse;
import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The worker's response that one client connection is storing: its head kept from the response head, its body copied
 * as it goes by ({@link #fill}), the two made one stored response at its end. One per client connection, reused.
 */
final class ResponseStoring {

    /** The copy of the body; {@link TeeRelay} feeds it. */
    final CacheFill fill = new CacheFill();
    private boolean storing;
    private ResponseFacts facts;
    private byte[] headBytes;
    private long responseTime;

    /** Starts copying the response's body to store it, if it may be stored; false if not. */
    boolean start(MessageHead head, BodyFraming body, CacheRequest request, ByteBufAllocator alloc, long maxObject,
                  long now) {
        int code = head.status();
        if (code == 206 || code == 304) {
            return false; // a part, or a confirmation: not a response to answer a plain GET with
        }
        ResponseFacts read = ResponseFacts.read(head);
        if (CachePolicy.whyNotStorable(request, read) != null
                || !fill.start(alloc, body.kind(), head.contentLength(), maxObject)) {
            return false;
        }
        facts = read;
        headBytes = StoredHeads.of(head);
        responseTime = now;
        storing = true;
        return true;
    }

    boolean storing() {
        return storing;
    }

    /**
     * The response has ended: the response to store, or null (nothing was being stored, or its body did not come
     * whole). The copy is released either way.
     *
     * @param inStep the worker sent nothing after the body
     */
    StoredResponse end(boolean inStep, CacheRequest request, long requestTime) {
        if (!storing) {
            return null;
        }
        storing = false;
        ByteBuf body = inStep ? fill.takeWhole() : null;
        fill.release();
        if (body == null) {
            return null;
        }
        StoredResponse response = new StoredResponse(request.key(), facts, headBytes, body, requestTime,
                responseTime, request.varyValues(facts.vary()));
        forget();
        return response;
    }

    /** Nothing is stored: the copy so far is released. */
    void abandon() {
        fill.release();
        storing = false;
    }

    /** Drops the head kept of the last response. */
    void forget() {
        facts = null;
        headBytes = null;
    }
}
