package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Recognises the start of an HTTP/1 request in a tcp relay's byte stream ("GET /..." etc.), so that the relay
 * can tell a keep-alive HTTP/1 connection's request boundaries without parsing HTTP (the balancer's
 * {@code RequestStart}; the wiring hands it {@link #isStartOf}). Only the common methods with an origin-form,
 * asterisk-form or absolute-form target count: a guess that errs towards "not HTTP" only closes an idle
 * connection that could have moved.
 */
public final class RequestLine {

    /** The methods whose request line marks the start of an HTTP/1 request. */
    private static final byte[][] METHODS = {
            ascii("GET "), ascii("POST "), ascii("HEAD "), ascii("PUT "), ascii("DELETE "), ascii("PATCH "),
            ascii("OPTIONS ")};

    private RequestLine() {
    }

    /** "GET " and the like, then a target's first byte, at the start of {@code bytes}; the reader index stays. */
    public static boolean isStartOf(ByteBuf bytes) {
        int start = bytes.readerIndex();
        int readable = bytes.readableBytes();
        for (byte[] method : METHODS) {
            if (readable > method.length && matches(bytes, start, method)) {
                byte target = bytes.getByte(start + method.length);
                return target == '/' || target == '*' || target == 'h';
            }
        }
        return false;
    }

    private static boolean matches(ByteBuf bytes, int start, byte[] method) {
        for (int i = 0; i < method.length; i++) {
            if (bytes.getByte(start + i) != method[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
