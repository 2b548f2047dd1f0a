package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.cache.ResponseFacts;
import io.jcluster.agent.http.wire.HeadWriter;
import io.netty.buffer.ByteBuf;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The conditional lines that revalidate a stored response (RFC 9111 section 4.3.1): If-None-Match with its ETag,
 * If-Modified-Since with its Last-Modified (an IMF-fixdate, RFC 9110 section 5.6.7).
 */
final class Validators {

    private static final byte[] IF_NONE_MATCH = HeadWriter.ascii("if-none-match: ");
    private static final byte[] IF_MODIFIED_SINCE = HeadWriter.ascii("if-modified-since: ");
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private Validators() {
    }

    /** Whether {@code facts} has a validator to revalidate with. */
    static boolean any(ResponseFacts facts) {
        return facts.etag() != null || facts.lastModified() >= 0;
    }

    /** The lines, to a request head being written; the most room they take is {@link #room}. */
    static void write(ByteBuf out, ResponseFacts facts) {
        if (facts.etag() != null) {
            HeadWriter.header(out, IF_NONE_MATCH, facts.etag());
        }
        if (facts.lastModified() >= 0) {
            HeadWriter.header(out, IF_MODIFIED_SINCE, IMF_FIXDATE.format(Instant.ofEpochSecond(facts.lastModified())));
        }
    }

    static int room(ResponseFacts facts) {
        return 64 + (facts.etag() == null ? 0 : facts.etag().length()) + 64;
    }
}
