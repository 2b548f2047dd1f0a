package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Heads for the cache's tests, scanned by the proxy's own scanner: '|' stands for CRLF, the blank line is added. */
final class Heads {

    /** Epoch seconds every table counts from (2023-11-14T22:13:20Z). */
    static final long T0 = 1_700_000_000L;

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private Heads() {
    }

    static MessageHead request(String text) {
        return scan(new MessageHead(true, 8192, 1 << 20), text);
    }

    static MessageHead response(String text) {
        return scan(new MessageHead(false, 8192, 1 << 20), text);
    }

    static MessageHead scan(MessageHead head, String text) {
        ByteBuf in = Unpooled.copiedBuffer(text.replace("|", "\r\n") + "\r\n\r\n", StandardCharsets.ISO_8859_1);
        try {
            assertEquals(MessageHead.COMPLETE, head.scan(in), () -> "scan of " + text.substring(0, Math.min(200, text.length())) + ": " + head.error());
            return head;
        } finally {
            in.release();
        }
    }

    static CacheRequest cacheRequest(String text) {
        CacheRequest request = new CacheRequest();
        request.read(request(text), false);
        return request;
    }

    static ResponseFacts facts(String text) {
        return ResponseFacts.read(response(text), T0);
    }

    /** {@code T0 + offset} as an IMF-fixdate. */
    static String date(long offset) {
        return IMF_FIXDATE.format(Instant.ofEpochSecond(T0 + offset).atOffset(ZoneOffset.UTC));
    }
}
