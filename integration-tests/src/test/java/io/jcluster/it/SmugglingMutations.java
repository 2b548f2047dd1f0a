package io.jcluster.it;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Generated inputs for HttpDesyncIT: a well-formed request (one of {@link #TEMPLATES}), optionally followed by a
 * second request that a desync would smuggle, with one to three mutations where parsers are known to differ: line
 * ends, whitespace and control bytes, framing headers added, duplicated or re-spelled, chunk sizes and extensions,
 * versions. Each mutation is data (kind, position, choice), so a seed replays the same inputs.
 */
final class SmugglingMutations {

    static final List<String> TEMPLATES = List.of(
            "POST /g HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
            "POST /g HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "POST /g HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=v\r\nhel\r\n2\r\nlo\r\n0\r\nT: t\r\n\r\n",
            "GET /g HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /g HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello");

    static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

    /** Framing headers and near-misses, inserted as whole lines. */
    static final List<String> HEADER_LINES = List.of(
            "Transfer-Encoding: chunked", "Transfer-Encoding : chunked", "Transfer-Encoding:\tchunked",
            " Transfer-Encoding: chunked", "Transfer-Encoding: xchunked", "Transfer-Encoding: chunked, identity",
            "Transfer-Encoding: identity", "transfer-encoding: CHUNKED", "Transfer_Encoding: chunked",
            "Transfer-Encoding:\u000bchunked", "Content-Length: 0", "Content-Length: 4", "Content-Length: 5",
            "Content-Length: 40", "Content-Length: +5", "Content-Length: 05", "Content-Length: 5, 5",
            "Content-Length : 5", "Content_Length: 5", "Connection: Content-Length", "Connection: Transfer-Encoding",
            "Connection: close", "Connection: keep-alive", "Expect: 100-continue", "Upgrade: h2c", "TE: chunked",
            "X-Forwarded-For: 6.6.6.6", "Host: y", "X: y\nTransfer-Encoding: chunked", "X:\r\n y");

    /** Bytes inserted at a position, or put in place of a line end. */
    static final List<String> BYTES = List.of(" ", "\t", "\u0000", "\u000b", "\u000c", "\r", "\n", "\r\n", ",", ";",
            "\"", "\u0085", "\u00a0", "+", "-", "0", "x", ":", "\r\n\r\n", "\n\n");

    /** Replacements for the first chunk size, or for a Content-Length value. */
    static final List<String> SIZES = List.of("05", "0x5", "+5", "5 ", " 5", "5;", "5;a", "5;a=\"b\"", "5;a\rb",
            "5;a\nb", "5\t", "0000000000000005", "fffffffffffffffff5", "-5", "4", "6", "0", "50", "5;a=b\r\n", "5\u0000");

    static final List<String> VERSIONS = List.of("HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.10", "HTTP/1.1 ");

    private SmugglingMutations() {
    }

    /** A mutation: which kind, where (an index into the bytes or lines, modulo their count), which choice. */
    record Mutation(int kind, int where, int choice) {
    }

    static Arbitrary<SmugglingVector> vectors() {
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 10_000)).as(Mutation::new);
        return Combinators.combine(Arbitraries.integers().between(0, TEMPLATES.size() - 1),
                Arbitraries.of(true, false), mutation.list().ofMinSize(1).ofMaxSize(3))
                .as(SmugglingMutations::build);
    }

    static SmugglingVector build(int template, boolean smuggle, List<Mutation> mutations) {
        String text = TEMPLATES.get(template) + (smuggle ? SMUGGLED : "");
        StringBuilder name = new StringBuilder("gen-t" + template + (smuggle ? "s" : ""));
        for (Mutation m : mutations) {
            text = apply(text, m);
            name.append('-').append(m.kind()).append('.').append(m.where()).append('.').append(m.choice());
        }
        return new SmugglingVector(name.toString(), text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String apply(String text, Mutation m) {
        int headEnd = text.indexOf("\r\n\r\n");
        headEnd = headEnd < 0 ? text.length() : headEnd;
        switch (m.kind()) {
            case 0: { // insert a nasty byte anywhere
                int at = m.where() % (text.length() + 1);
                return text.substring(0, at) + pick(BYTES, m.choice()) + text.substring(at);
            }
            case 1: { // a line end becomes something else
                List<Integer> ends = indexes(text, "\r\n");
                if (ends.isEmpty()) {
                    return text;
                }
                int at = ends.get(m.where() % ends.size());
                return text.substring(0, at) + pick(List.of("\n", "\r", "\r\r\n", "\n\r", "\r\n ", " \r\n", "\r\n\t"), m.choice())
                        + text.substring(at + 2);
            }
            case 2: { // a framing header line added in the head
                List<Integer> ends = indexes(text.substring(0, headEnd), "\r\n");
                int at = ends.isEmpty() ? headEnd : ends.get(m.where() % ends.size());
                return text.substring(0, at) + "\r\n" + pick(HEADER_LINES, m.choice()) + text.substring(at);
            }
            case 3: { // a header line of the head duplicated
                List<Integer> starts = indexes(text.substring(0, headEnd), "\r\n");
                if (starts.size() < 1) {
                    return text;
                }
                int i = m.where() % starts.size();
                int from = starts.get(i);
                int to = i + 1 < starts.size() ? starts.get(i + 1) : headEnd;
                return text.substring(0, to) + text.substring(from, to) + text.substring(to);
            }
            case 4: { // the first chunk size or Content-Length value re-spelled
                int cl = text.indexOf("Content-Length: 5");
                if (cl >= 0 && (m.where() % 2 == 0 || !text.contains("\r\n\r\n5\r\n"))) {
                    int v = cl + "Content-Length: ".length();
                    return text.substring(0, v) + pick(SIZES, m.choice()) + text.substring(v + 1);
                }
                int chunk = text.indexOf("\r\n\r\n5\r\n");
                if (chunk < 0) {
                    chunk = text.indexOf("\r\n\r\n3;e=v\r\n");
                    if (chunk < 0) {
                        return text;
                    }
                    return text.substring(0, chunk + 4) + pick(SIZES, m.choice()).replace('5', '3')
                            + text.substring(chunk + 9);
                }
                return text.substring(0, chunk + 4) + pick(SIZES, m.choice()) + text.substring(chunk + 5);
            }
            case 5: { // the version re-spelled
                int v = text.indexOf("HTTP/1.");
                return v < 0 ? text : text.substring(0, v) + pick(VERSIONS, m.choice()) + text.substring(v + 8);
            }
            case 6: { // one byte removed
                if (text.isEmpty()) {
                    return text;
                }
                int at = m.where() % text.length();
                return text.substring(0, at) + text.substring(at + 1);
            }
            default: { // the case of a header name or value flipped
                int at = m.where() % Math.max(1, headEnd);
                char c = text.charAt(at);
                char flipped = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
                return text.substring(0, at) + flipped + text.substring(at + 1);
            }
        }
    }

    private static String pick(List<String> choices, int choice) {
        return choices.get(choice % choices.size());
    }

    private static List<Integer> indexes(String text, String of) {
        List<Integer> found = new java.util.ArrayList<>();
        for (int i = text.indexOf(of); i >= 0; i = text.indexOf(of, i + 1)) {
            found.add(i);
        }
        return found;
    }
}
