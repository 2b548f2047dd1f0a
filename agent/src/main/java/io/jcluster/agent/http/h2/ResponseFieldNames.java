package io.jcluster.agent.http.h2;

import io.netty.util.AsciiString;

/**
 * Response field names as HTTP/2 sends them, lowercased (RFC 9113 section 8.2.1): the names most responses carry are
 * one shared object each, so their frames need no new name per response.
 */
final class ResponseFieldNames {

    /** Field names most responses carry. */
    static final AsciiString[] COMMON = {
            AsciiString.cached("content-type"), AsciiString.cached("content-length"), AsciiString.cached("date"),
            AsciiString.cached("server"), AsciiString.cached("last-modified"), AsciiString.cached("etag"),
            AsciiString.cached("accept-ranges"), AsciiString.cached("cache-control"), AsciiString.cached("vary"),
            AsciiString.cached("expires"), AsciiString.cached("location"), AsciiString.cached("set-cookie"),
            AsciiString.cached("content-encoding"), AsciiString.cached("age"), AsciiString.cached("x-cache"),
            AsciiString.cached("retry-after")};

    private ResponseFieldNames() {
    }

    /** The field name {@code bytes[start, end)} in lower case. */
    static AsciiString name(byte[] bytes, int start, int end) {
        int common = common(bytes, start, end);
        return common >= 0 ? COMMON[common] : lowercase(bytes, start, end);
    }

    /** The index of the name {@code bytes[start, end)} in {@link #COMMON}, whatever its case, or -1. */
    static int common(byte[] bytes, int start, int end) {
        int length = end - start;
        for (int i = 0; i < COMMON.length; i++) {
            AsciiString common = COMMON[i];
            if (common.length() == length && sameIgnoringCase(bytes, start, common)) {
                return i;
            }
        }
        return -1;
    }

    /** A new lowercase copy of {@code bytes[start, end)}. */
    static AsciiString lowercase(byte[] bytes, int start, int end) {
        int length = end - start;
        byte[] lower = new byte[length];
        for (int i = 0; i < length; i++) {
            byte b = bytes[start + i];
            lower[i] = b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
        }
        return new AsciiString(lower, false);
    }

    private static boolean sameIgnoringCase(byte[] bytes, int start, AsciiString lower) {
        for (int i = 0; i < lower.length(); i++) {
            int b = bytes[start + i];
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != lower.byteAt(i)) {
                return false;
            }
        }
        return true;
    }
}
