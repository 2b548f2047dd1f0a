package io.jcluster.agent.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** The responses jcluster itself sends: a status, and one plain-text line saying what happened. */
final class ErrorResponses {

    private ErrorResponses() {
    }

    /** Always with Connection: close: after an error the connection's state is not worth trusting. */
    static FullHttpResponse of(ByteBufAllocator allocator, HttpResponseStatus status, String what) {
        byte[] text = ("jcluster: " + what + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf body = allocator.buffer(text.length).writeBytes(text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    static FullHttpResponse retryLater(ByteBufAllocator allocator, String what, long retryAfterSeconds) {
        FullHttpResponse response = of(allocator, HttpResponseStatus.SERVICE_UNAVAILABLE, what);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(Math.max(1, retryAfterSeconds)));
        return response;
    }
}
