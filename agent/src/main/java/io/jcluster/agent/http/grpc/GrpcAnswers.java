package io.jcluster.agent.http.grpc;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * The parent's own answers to a call, as gRPC over HTTP/2 has them: Trailers-Only (one HEADERS frame that ends the
 * stream: {@code :status 200}, content-type, grpc-status, grpc-message) when nothing of the response was sent yet,
 * else Trailers after what was. For a request that is not gRPC (its content-type is not application/grpc*), an HTTP
 * status and a one-line text body instead.
 */
final class GrpcAnswers {

    static final int CANCELLED = 1;
    static final int DEADLINE_EXCEEDED = 4;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;

    static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    static final AsciiString GRPC_TIMEOUT = AsciiString.cached("grpc-timeout");
    static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");
    private static final AsciiString TEXT = AsciiString.cached("text/plain; charset=utf-8");
    private static final AsciiString OK = AsciiString.cached("200");

    private GrpcAnswers() {
    }

    /** Whether {@code contentType} is gRPC's: application/grpc, alone or with a suffix (+proto, ;charset...). */
    static boolean isGrpc(CharSequence contentType) {
        if (contentType == null || contentType.length() < APPLICATION_GRPC.length()) {
            return false;
        }
        if (!AsciiString.regionMatches(contentType, true, 0, APPLICATION_GRPC, 0, APPLICATION_GRPC.length())) {
            return false;
        }
        if (contentType.length() == APPLICATION_GRPC.length()) {
            return true;
        }
        char next = contentType.charAt(APPLICATION_GRPC.length());
        return next == '+' || next == ';';
    }

    /**
     * Writes (does not flush) the parent's answer to a call: gRPC trailers (Trailers-Only when nothing of the
     * response was sent yet), or for a request that is not gRPC an HTTP status and a line of text; a response of the
     * worker's that is not gRPC and already under way cannot take one and is reset (INTERNAL_ERROR).
     */
    static void write(ChannelHandlerContext ctx, boolean grpc, boolean responseStarted, int grpcStatus,
                      int httpStatus, String message) {
        if (grpc) {
            ctx.write(new DefaultHttp2HeadersFrame(responseStarted ? trailers(grpcStatus, message)
                    : trailersOnly(grpcStatus, message), true), ctx.voidPromise());
        } else if (!responseStarted) {
            ctx.write(new DefaultHttp2HeadersFrame(httpHead(httpStatus), false), ctx.voidPromise());
            ctx.write(new DefaultHttp2DataFrame(ByteBufUtil.writeUtf8(ctx.alloc(), message + "\n"), true),
                    ctx.voidPromise());
        } else {
            ctx.write(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR), ctx.voidPromise());
        }
    }

    /** Trailers-Only: the whole response in one HEADERS frame. */
    static Http2Headers trailersOnly(int status, String message) {
        return trailers(new DefaultHttp2Headers().status(OK).set(CONTENT_TYPE, APPLICATION_GRPC), status, message);
    }

    /** Trailers after response headers (and perhaps messages) already sent. */
    static Http2Headers trailers(int status, String message) {
        return trailers(new DefaultHttp2Headers(), status, message);
    }

    private static Http2Headers trailers(Http2Headers headers, int status, String message) {
        return headers.setInt(GRPC_STATUS, status).set(GRPC_MESSAGE, percentEncoded(message));
    }

    /** The head of a plain HTTP answer to a request that is not gRPC; its text follows as DATA. */
    static Http2Headers httpHead(int httpStatus) {
        return new DefaultHttp2Headers().status(AsciiString.of(Integer.toString(httpStatus))).set(CONTENT_TYPE, TEXT);
    }

    /**
     * grpc-message is percent-encoded (gRPC over HTTP/2, "Status-Message"): space to '~' but '%' as they are, every
     * other byte of the UTF-8 as %XX.
     */
    static String percentEncoded(String message) {
        byte[] utf8 = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length + 8);
        for (byte b : utf8) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
