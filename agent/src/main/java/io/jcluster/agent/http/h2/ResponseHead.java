package io.jcluster.agent.http.h2;

import io.netty.handler.codec.EmptyHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A response head's fields for the HPACK encoder, one object per stream object, filled again for each head: the
 * encoder only iterates a head's fields (twice: the size check, then the encoding) and is done with them when its
 * write returns, which it always is for a response head (RFC 9113 section 8.1: a final or 1xx head is never queued
 * behind DATA; only trailers can be, and they are {@link ResponseTrailers}' own read-only lists). So no field array,
 * headers object or iterator per response. The strings themselves are immutable (HPACK keeps those it indexes).
 * Everything but iteration and {@code :status} is the empty list's: nothing else reads a response head here.
 */
final class ResponseHead extends EmptyHeaders<CharSequence, CharSequence, Http2Headers>
        implements Http2Headers, Iterator<Map.Entry<CharSequence, CharSequence>>, Map.Entry<CharSequence, CharSequence> {

    private static final AsciiString STATUS = Http2Headers.PseudoHeaderName.STATUS.value();

    private CharSequence status;
    /** Names and values, in pairs. */
    private AsciiString[] fields = new AsciiString[32];
    private int length;
    /** The iteration: -2 before :status, then the index of the current pair's name. */
    private int at;
    private int next;

    /** Starts a head with {@code status} and room for {@code pairs} fields. */
    void start(CharSequence status, int pairs) {
        this.status = status;
        if (fields.length < 2 * pairs) {
            fields = new AsciiString[2 * pairs];
        } else {
            Arrays.fill(fields, 0, length, null);
        }
        length = 0;
    }

    void add(AsciiString name, AsciiString value) {
        fields[length++] = name;
        fields[length++] = value;
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iterator() {
        next = -2;
        return this;
    }

    @Override
    public boolean hasNext() {
        return next < length;
    }

    @Override
    public Map.Entry<CharSequence, CharSequence> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        at = next;
        next += 2;
        return this;
    }

    @Override
    public CharSequence getKey() {
        return at < 0 ? STATUS : fields[at];
    }

    @Override
    public CharSequence getValue() {
        return at < 0 ? status : fields[at + 1];
    }

    @Override
    public CharSequence setValue(CharSequence value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int size() {
        return 1 + length / 2;
    }

    @Override
    public boolean isEmpty() {
        return false;
    }

    @Override
    public CharSequence status() {
        return status;
    }

    @Override
    public CharSequence method() {
        return null;
    }

    @Override
    public CharSequence scheme() {
        return null;
    }

    @Override
    public CharSequence authority() {
        return null;
    }

    @Override
    public CharSequence path() {
        return null;
    }

    @Override
    public Iterator<CharSequence> valueIterator(CharSequence name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Http2Headers method(CharSequence value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Http2Headers scheme(CharSequence value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Http2Headers authority(CharSequence value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Http2Headers path(CharSequence value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Http2Headers status(CharSequence value) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean caseInsensitive) {
        throw new UnsupportedOperationException();
    }

    /** For logs and tests: the fields as text. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("ResponseHead[:status: ").append(status);
        for (int i = 0; i < length; i += 2) {
            text.append(", ").append(fields[i]).append(": ").append(fields[i + 1]);
        }
        return text.append(']').toString();
    }
}
