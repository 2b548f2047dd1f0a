package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;

/**
 * The responses jcluster itself sends: a status, and one plain-text line saying what happened. Encoded here as
 * bytes: the client connections have no HTTP encoder.
 */
final class ErrorResponses {

    private ErrorResponses() {
    }

    /** Always with Connection: close: after an error the connection's state is not worth trusting. */
    static ByteBuf of(ByteBufAllocator allocator, int status, String what) {
        return encode(allocator, status, what, null);
    }

    static ByteBuf retryLater(ByteBufAllocator allocator, String what, long retryAfterSeconds) {
        return encode(allocator, 503, what, "retry-after: " + Math.max(1, retryAfterSeconds) + "\r\n");
    }

    private static ByteBuf encode(ByteBufAllocator allocator, int status, String what, String extraHeader) {
        byte[] text = ("jcluster: " + what + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + HttpResponseStatus.valueOf(status) + "\r\n"
                + "content-type: text/plain; charset=utf-8\r\n"
                + "content-length: " + text.length + "\r\n"
                + "connection: close\r\n"
                + (extraHeader == null ? "" : extraHeader)
                + "\r\n";
        ByteBuf out = allocator.buffer(head.length() + text.length);
        out.writeCharSequence(head, StandardCharsets.ISO_8859_1);
        return out.writeBytes(text);
    }
}
