package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;

/**
 * Where one message's body ends in the byte stream, by the framing its head announced: nothing, a Content-Length
 * countdown, a chunked body (followed by {@link ChunkedScanner}), or the end of the connection. The bytes
 * themselves are passed on untouched by the caller; this only counts.
 */
public final class BodyFraming {

    public enum Kind { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private Kind kind = Kind.NONE;
    private long remaining;
    private final ChunkedScanner chunks = new ChunkedScanner();

    public void none() {
        kind = Kind.NONE;
    }

    public void length(long length) {
        kind = length == 0 ? Kind.NONE : Kind.LENGTH;
        remaining = length;
    }

    public void chunked() {
        kind = Kind.CHUNKED;
        chunks.reset();
    }

    public void untilClose() {
        kind = Kind.UNTIL_CLOSE;
    }

    /**
     * A final response's framing (RFC 9112 section 6.3): none for a response to HEAD and for 204 and 304, else
     * chunked when Transfer-Encoding ends in chunked, until the close for any other Transfer-Encoding, the
     * Content-Length when there is one, else until the close.
     *
     * @param bodiless the response has no body whatever its head says (a response to HEAD, a 204 or a 304)
     */
    public void ofResponse(MessageHead head, boolean bodiless) {
        if (bodiless) {
            none();
        } else if (head.hasTransferEncoding()) {
            if (head.chunked()) {
                chunked();
            } else {
                untilClose();
            }
        } else if (head.contentLength() >= 0) {
            length(head.contentLength());
        } else {
            untilClose();
        }
    }

    public Kind kind() {
        return kind;
    }

    public ChunkedScanner chunks() {
        return chunks;
    }

    /** The body is complete (an until-close body never is: the connection's end completes it). */
    public boolean done() {
        switch (kind) {
            case NONE:
                return true;
            case LENGTH:
                return remaining == 0;
            case CHUNKED:
                return chunks.done();
            default:
                return false;
        }
    }

    /**
     * Takes the body's bytes from {@code [index, end)}.
     *
     * @return the index where the body's bytes there end (bytes from it on belong to what follows); -1 when a
     * chunked body's framing is broken ({@link ChunkedScanner#error()} says how)
     */
    public int scan(ByteBuf buf, int index, int end) {
        switch (kind) {
            case NONE:
                return index;
            case LENGTH: {
                int take = (int) Math.min(remaining, end - index);
                remaining -= take;
                return index + take;
            }
            case CHUNKED:
                while (index < end && !chunks.done()) {
                    index = chunks.step(buf, index, end);
                    if (index < 0) {
                        return -1;
                    }
                }
                return index;
            default:
                return end;
        }
    }
}
