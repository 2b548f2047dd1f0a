package io.jcluster.agent.admin;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/** One answer of the admin endpoint, made before it is sent; {@code allow} is the Allow header of a 405, or null. */
record AdminAnswer(HttpResponseStatus status, String contentType, String body, String allow) {

    static AdminAnswer text(HttpResponseStatus status, String body) {
        return new AdminAnswer(status, "text/plain; charset=utf-8", body, null);
    }

    /** A 405: RFC 9110 section 15.5.6 has it name the methods the resource supports in Allow. */
    static AdminAnswer wrongMethod(HttpMethod expected, String path) {
        return new AdminAnswer(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                "use " + expected + " for " + path + "\n", expected.name());
    }

    /** The response, which closes the connection (one request per admin connection). */
    FullHttpResponse response() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        return response;
    }
}
