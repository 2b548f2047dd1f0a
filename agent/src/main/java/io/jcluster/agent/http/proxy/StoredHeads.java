package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.MessageHead;

import java.io.ByteArrayOutputStream;

/**
 * The head a response is stored with (RFC 9111 section 3.1): its status line and header lines, CRLF-ended,
 * without the lines the proxy dropped (hop-by-hop), without its framing (Content-Length and Transfer-Encoding: a
 * stored response is served with its own Content-Length), without Age (written fresh on each hit, section 5.1) and
 * without X-Cache (the cache's own). And the same for the update of a stored head by a 304 (sections 3.2, 4.3.4).
 */
final class StoredHeads {

    private static final byte[] AGE = HeadWriter.ascii("age");
    private static final byte[] X_CACHE = HeadWriter.ascii("x-cache");
    /** RFC 9111 section 3.1: "Effectively, this is limited to" these three. */
    private static final byte[][] PROXY_SPECIFIC = {HeadWriter.ascii("proxy-authenticate"),
            HeadWriter.ascii("proxy-authentication-info"), HeadWriter.ascii("proxy-authorization")};

    private StoredHeads() {
    }

    /** The head to store of {@code head} (a response head with its hop-by-hop lines marked dropped). */
    static byte[] of(MessageHead head) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length());
        byte[] bytes = head.bytes();
        out.write(bytes, head.startLineStart(), head.startLineEnd() - head.startLineStart());
        out.write(HeadWriter.CRLF, 0, 2);
        for (int i = 0; i < head.count(); i++) {
            if (kept(head, i)) {
                line(out, head, i);
            }
        }
        return out.toByteArray();
    }

    /**
     * {@code stored} (a stored head, scanned) updated by {@code notModified} (a 304 to its revalidation, its
     * hop-by-hop lines marked dropped): each field the 304 carries replaces every line of that name (section 3.2),
     * except framing, Age, Set-Cookie (a shared response never takes one from a 304) and what was dropped.
     */
    static byte[] updated(MessageHead stored, MessageHead notModified) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length() + notModified.length());
        byte[] bytes = stored.bytes();
        out.write(bytes, stored.startLineStart(), stored.startLineEnd() - stored.startLineStart());
        out.write(HeadWriter.CRLF, 0, 2);
        for (int i = 0; i < stored.count(); i++) {
            if (kept(stored, i) && !replaces(notModified, stored, i)) {
                line(out, stored, i);
            }
        }
        for (int j = 0; j < notModified.count(); j++) {
            if (updates(notModified, j)) {
                line(out, notModified, j);
            }
        }
        return out.toByteArray();
    }

    private static boolean kept(MessageHead head, int line) {
        byte kind = head.kind(line);
        return !head.dropped(line) && kind != MessageHead.CONTENT_LENGTH && kind != MessageHead.TRANSFER_ENCODING
                && !named(head, line, AGE) && !named(head, line, X_CACHE) && !proxySpecific(head, line);
    }

    private static boolean proxySpecific(MessageHead head, int line) {
        for (byte[] name : PROXY_SPECIFIC) {
            if (named(head, line, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean updates(MessageHead notModified, int line) {
        return kept(notModified, line) && notModified.kind(line) != MessageHead.SET_COOKIE;
    }

    /** Whether {@code notModified} carries a field named as {@code stored}'s line {@code line}. */
    private static boolean replaces(MessageHead notModified, MessageHead stored, int line) {
        byte[] name = stored.bytes();
        int s = stored.lineStart(line);
        int e = stored.nameEnd(line);
        for (int j = 0; j < notModified.count(); j++) {
            if (updates(notModified, j) && equalNames(notModified.bytes(), notModified.lineStart(j),
                    notModified.nameEnd(j), name, s, e)) {
                return true;
            }
        }
        return false;
    }

    private static boolean named(MessageHead head, int line, byte[] lowerName) {
        return equalNames(head.bytes(), head.lineStart(line), head.nameEnd(line), lowerName, 0, lowerName.length);
    }

    private static boolean equalNames(byte[] a, int as, int ae, byte[] b, int bs, int be) {
        if (ae - as != be - bs) {
            return false;
        }
        for (int i = 0; i < ae - as; i++) {
            if (lower(a[as + i]) != lower(b[bs + i])) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** The line as it came up to its value's end, with CRLF (a bare LF, or trailing whitespace, normalised). */
    private static void line(ByteArrayOutputStream out, MessageHead head, int line) {
        int start = head.lineStart(line);
        out.write(head.bytes(), start, head.valueEnd(line) - start);
        out.write(HeadWriter.CRLF, 0, 2);
    }
}
