package io.jcluster.agent.http.h2;

import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.ChunkedScanner;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * A stream's response, written by the proxy as HTTP/1.1 bytes, as HEADERS and DATA frames: the head's fields
 * lowercased, without the connection-specific ones (RFC 9113 section 8.2.2: connection, keep-alive,
 * proxy-connection, transfer-encoding, upgrade, te), a 1xx as a HEADERS frame that does not end the stream; the body
 * by its HTTP/1.1 framing (content-length, or chunked: the chunks' data only, a trailer section as a last HEADERS
 * frame, {@link ResponseTrailers}), its end the stream's end. The
 * response to HEAD, a 204 and a 304 have no body. Nothing is decoded into message objects: {@link MessageHead}
 * finds the lines, {@link BodyFraming} the body's end.
 */
final class ResponseFrames {

    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int DONE = 2;

    private final H2Stream stream;
    private final int maxResponseHeaders;
    /**
     * The head this object scans itself: only for the answers that come as bytes (1xx, errors, cached responses), the
     * others' head the exchange scanned ({@link #head(MessageHead, BodyFraming.Kind, long, AsciiString[])}). Made on
     * first need and reset only when a scan left something in it: a stream that never needs it touches none of its
     * memory (about 1 KiB per stream object, cold by the time the object serves its next stream).
     */
    private MessageHead head;
    private boolean headInUse;
    private final BodyFraming body = new BodyFraming();
    private final ResponseTrailers trailers = new ResponseTrailers();
    private ByteBuf headIn;
    private int state = HEAD;
    private boolean headMethod;
    private boolean headersSent;
    /** The last head written could not be read. */
    private boolean failed;

    /** The connection's, shared by its stream objects. */
    private final CommonValues commonValues;

    ResponseFrames(H2Stream stream, int maxResponseHeaders, CommonValues commonValues) {
        this.stream = stream;
        this.commonValues = commonValues;
        this.maxResponseHeaders = maxResponseHeaders;
    }

    private void forgetHead() {
        if (headInUse) {
            head.reset();
            headInUse = false;
        }
    }

    void start(boolean headMethod) {
        this.headMethod = headMethod;
        state = HEAD;
        headersSent = false;
        failed = false;
        forgetHead();
        trailers.clear();
    }

    /** Whether the whole response went out (its last frame ends the stream). */
    boolean complete() {
        return state == DONE;
    }

    /** Whether a final head or its body went out, so that the response can only be cut, not answered. */
    boolean started() {
        return headersSent;
    }

    /** Whether the body in progress has no framing (ends when the proxy ends the stream). */
    boolean untilEnd() {
        return state == BODY && body.kind() == BodyFraming.Kind.UNTIL_CLOSE;
    }

    void release() {
        if (headIn != null) {
            headIn.release();
            headIn = null;
        }
        forgetHead();
    }

    /** Response bytes from the proxy (released or handed on here). @return false: malformed, reset the stream */
    boolean write(ByteBuf data) {
        if (state == DONE) {
            data.release();
            return true;
        }
        if (state == HEAD) {
            data = heads(data);
            if (failed) {
                failed = false;
                return false;
            }
            if (data == null) {
                return true;
            }
        }
        return body(data);
    }

    /** @return the bytes after the final head (the body's first), or null when none are left */
    private ByteBuf heads(ByteBuf data) {
        if (head == null) {
            head = new MessageHead(false, 8 * 1024, maxResponseHeaders);
        }
        headInUse = true;
        if (headIn != null) {
            ByteBuf joined = stream.alloc().directBuffer(headIn.readableBytes() + data.readableBytes());
            joined.writeBytes(headIn).writeBytes(data);
            headIn.release();
            data.release();
            data = joined;
            headIn = null;
        }
        while (true) {
            int outcome = head.scan(data);
            if (outcome == MessageHead.NEED_MORE) {
                headIn = data;
                return null;
            }
            if (outcome == MessageHead.FAILED) {
                data.release();
                failed = true; // cannot happen with the proxy's own output; the stream is reset, not half-sent
                state = DONE;
                return null;
            }
            int status = head.status();
            Http2Headers headers = headers(head, null);
            data.skipBytes(head.length());
            boolean interim = status < 200;
            if (interim) {
                head.reset();
                stream.writeHeaders(headers, false);
                if (!data.isReadable()) {
                    data.release();
                    return null;
                }
                continue;
            }
            body.ofResponse(head, headMethod || status == 204 || status == 304);
            head.reset();
            headersSent = true;
            boolean end = body.done();
            state = end ? DONE : BODY;
            stream.writeHead(headers, end);
            if (end || !data.isReadable()) {
                data.release();
                return null;
            }
            return data;
        }
    }

    /**
     * The final head the proxy has scanned and rewritten already ({@code head}'s dropped lines left out, {@code extra}
     * name and value pairs added, or null), and its body's framing: no HTTP/1.1 bytes to write and scan again. The
     * body's bytes follow through {@link #write}.
     */
    void head(MessageHead head, BodyFraming.Kind framing, long length, AsciiString[] extra) {
        switch (framing) {
            case NONE -> body.none();
            case LENGTH -> body.length(length);
            case CHUNKED -> body.chunked();
            default -> body.untilClose();
        }
        Http2Headers headers = headers(head, extra);
        headersSent = true;
        boolean end = body.done();
        state = end ? DONE : BODY;
        stream.writeHead(headers, end);
    }


    private final ResponseHead fields = new ResponseHead();

    /**
     * The head's fields, in this stream object's {@link ResponseHead} (written before the next head is made), names
     * and values checked already (the proxy's scanner read them as HTTP/1.1; names are lowercased here), and
     * {@code extra} (name and value pairs, or null) after them.
     */
    private Http2Headers headers(MessageHead head, AsciiString[] extra) {
        int count = head.count();
        fields.start(HttpResponseStatus.valueOf(head.status()).codeAsText(),
                count + (extra == null ? 0 : extra.length / 2));
        byte[] bytes = head.bytes();
        for (int i = 0; i < count; i++) {
            if (head.dropped(i) || ConnectionSpecific.kind(head.kind(i))) {
                continue;
            }
            int nameStart = head.lineStart(i);
            int nameEnd = head.nameEnd(i);
            int valueStart = head.valueStart(i);
            int valueLength = head.valueEnd(i) - valueStart;
            int common = ResponseFieldNames.common(bytes, nameStart, nameEnd);
            if (common < 0) {
                fields.add(ResponseFieldNames.lowercase(bytes, nameStart, nameEnd),
                        new AsciiString(bytes, valueStart, valueLength, true));
            } else {
                fields.add(ResponseFieldNames.COMMON[common],
                        commonValues.value(common, bytes, valueStart, valueLength));
            }
        }
        if (extra != null) {
            for (int i = 0; i < extra.length; i += 2) {
                fields.add(extra[i], extra[i + 1]);
            }
        }
        return fields;
    }

    /** Body bytes: as DATA frames, the last one ending the stream. @return false: malformed */
    private boolean body(ByteBuf data) {
        if (body.kind() != BodyFraming.Kind.CHUNKED) {
            int start = data.readerIndex();
            int end = body.scan(data, start, data.writerIndex());
            boolean done = body.done();
            if (done) {
                state = DONE;
            }
            if (end == data.writerIndex()) {
                stream.writeData(data, done);
            } else {
                stream.writeData(data.retainedSlice(start, end - start), done);
                data.release(); // bytes past the end: never the client's
            }
            return true;
        }
        ChunkedScanner chunks = body.chunks();
        int index = data.readerIndex();
        int spanStart = -1;
        int spanEnd = -1;
        while (index < data.writerIndex() && !chunks.done()) {
            int stepStart = index;
            index = chunks.step(data, stepStart, data.writerIndex());
            if (index < 0) {
                data.release();
                state = DONE;
                return false;
            }
            if (chunks.lastStepData()) {
                if (index > stepStart) {
                    if (spanStart >= 0) {
                        stream.writeData(data.retainedSlice(spanStart, spanEnd - spanStart), false);
                    }
                    spanStart = stepStart;
                    spanEnd = index;
                }
                trailers.clear();
            } else {
                trailers.framing(data, stepStart, index);
            }
        }
        boolean done = chunks.done();
        Http2Headers trailerFields = null;
        if (done) {
            state = DONE;
            trailerFields = trailers.fields();
        }
        boolean endWithData = done && trailerFields == null;
        if (spanStart >= 0) {
            stream.writeData(data.retainedSlice(spanStart, spanEnd - spanStart), endWithData);
        } else if (endWithData) {
            stream.writeData(Unpooled.EMPTY_BUFFER, true);
        }
        if (trailerFields != null) {
            stream.writeHeaders(trailerFields, true); // RFC 9113 section 8.1: trailers end the stream
        }
        data.release();
        return true;
    }

    /** The proxy ends a body that has no framing: its end is the stream's. */
    void endUntilEnd() {
        state = DONE;
        stream.writeData(Unpooled.EMPTY_BUFFER, true);
    }
}
