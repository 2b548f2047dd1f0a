package samples.recording;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A strict HTTP/1.1 request parser (RFC 9112), the reference for where a request ends: it reads exactly one request
 * from a stream and refuses every framing a lenient parser could read another way. Only what decides a message's
 * boundaries, or could make two parsers disagree on them, is checked strictly:
 * <ul>
 *   <li>every line ends with CRLF (section 2.2: no bare LF, no bare CR);</li>
 *   <li>request line {@code token SP target SP HTTP/1.x} (the target without controls); header lines {@code token ":" OWS value OWS} whose
 *   value holds no control character but HTAB (section 5; no obs-fold, no whitespace before the colon);</li>
 *   <li>at most one Content-Length, all digits; Transfer-Encoding exactly {@code chunked}, once, never with
 *   Content-Length, never in HTTP/1.0 (section 6.1, 6.3);</li>
 *   <li>chunked (section 7.1): {@code 1*HEXDIG} (at most 15 digits), chunk extensions by the grammar
 *   ({@code BWS ";" BWS token [BWS "=" BWS (token / quoted-string)]}), CRLF after the size line and after
 *   the data, trailer lines like header lines.</li>
 * </ul>
 */
public final class StrictRequestParser {

    static final int MAX_LINE = 16 * 1024;
    static final int MAX_HEADERS = 200;

    /** One parsed request. */
    public record Request(String method, String target, String version, List<String[]> headers, byte[] body) {

        /** The first value of a header (name ignoring case), or null. */
        public String header(String name) {
            for (String[] header : headers) {
                if (header[0].equalsIgnoreCase(name)) {
                    return header[1];
                }
            }
            return null;
        }
    }

    /** The request breaks a rule; {@link #getMessage()} says which. */
    public static final class Malformed extends IOException {
        public Malformed(String what) {
            super(what);
        }
    }

    /** The stream ended inside a request. */
    public static final class Truncated extends IOException {
        public Truncated(String where) {
            super(where);
        }
    }

    private final InputStream in;
    /** Every byte read for the current request, for reports. */
    private final ByteArrayOutputStream consumed = new ByteArrayOutputStream();

    public StrictRequestParser(InputStream in) {
        this.in = in;
    }

    /** The bytes read since the last {@link #next()} began. */
    public byte[] consumed() {
        return consumed.toByteArray();
    }

    /** The next request, or null when the stream ends cleanly before one starts. */
    public Request next() throws IOException {
        consumed.reset();
        int first = in.read();
        if (first < 0) {
            return null;
        }
        consumed.write(first);
        String line = line(first);
        while (line.isEmpty()) { // section 2.2: empty lines before a request line are ignored
            line = line(-1);
        }
        String[] parts = line.split(" ", -1);
        if (parts.length != 3) {
            throw new Malformed("a request line that is not METHOD SP TARGET SP VERSION");
        }
        String method = parts[0];
        if (!isToken(method)) {
            throw new Malformed("a method that is not a token");
        }
        String target = parts[1];
        // the target's characters do not decide where a request ends: only whitespace and controls are refused
        if (target.isEmpty() || !target.chars().allMatch(c -> c > 0x20 && c != 0x7f)) {
            throw new Malformed("a target with a control character");
        }
        String version = parts[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new Malformed("a version other than HTTP/1.1 and HTTP/1.0");
        }
        List<String[]> headers = fields("header");
        String transferEncoding = null;
        String contentLength = null;
        for (String[] header : headers) {
            String name = header[0].toLowerCase(Locale.ROOT);
            if (name.equals("transfer-encoding")) {
                if (transferEncoding != null) {
                    throw new Malformed("more than one Transfer-Encoding line");
                }
                transferEncoding = header[1];
            } else if (name.equals("content-length")) {
                if (contentLength != null) {
                    throw new Malformed("more than one Content-Length line");
                }
                contentLength = header[1];
            }
        }
        byte[] body;
        if (transferEncoding != null) {
            if (contentLength != null) {
                throw new Malformed("both Transfer-Encoding and Content-Length");
            }
            if (!transferEncoding.equalsIgnoreCase("chunked")) {
                throw new Malformed("a Transfer-Encoding other than exactly 'chunked'");
            }
            if (version.equals("HTTP/1.0")) {
                throw new Malformed("Transfer-Encoding in HTTP/1.0");
            }
            body = chunked();
        } else if (contentLength != null) {
            if (contentLength.isEmpty() || contentLength.length() > 15
                    || !contentLength.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new Malformed("a Content-Length that is not 1*DIGIT");
            }
            body = exactly(Long.parseLong(contentLength), "the body");
        } else {
            body = new byte[0];
        }
        return new Request(method, target, version, headers, body);
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            String line = line(-1);
            int i = 0;
            while (i < line.length() && hex(line.charAt(i)) >= 0) {
                i++;
            }
            if (i == 0 || i > 15) {
                throw new Malformed(i == 0 ? "a chunk size that is not 1*HEXDIG" : "a chunk size of more than 15 digits");
            }
            long size = Long.parseLong(line.substring(0, i), 16);
            extensions(line, i);
            if (size == 0) {
                fields("trailer");
                return data.toByteArray();
            }
            data.writeBytes(exactly(size, "chunk data"));
            int cr = read("the CRLF after chunk data");
            int lf = read("the CRLF after chunk data");
            if (cr != '\r' || lf != '\n') {
                throw new Malformed("chunk data not followed by CRLF");
            }
        }
    }

    /** chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) (RFC 9112 section 7.1.1). */
    private static void extensions(String line, int i) throws Malformed {
        int n = line.length();
        while (i < n) {
            i = bws(line, i);
            if (i == n || line.charAt(i) != ';') {
                throw new Malformed("a chunk-size line with something other than extensions after the size");
            }
            i = bws(line, i + 1);
            int nameStart = i;
            while (i < n && isTokenChar(line.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                throw new Malformed("a chunk extension without a name");
            }
            int afterName = bws(line, i);
            if (afterName < n && line.charAt(afterName) == '=') {
                i = bws(line, afterName + 1);
                if (i < n && line.charAt(i) == '"') {
                    i++;
                    while (true) {
                        if (i >= n) {
                            throw new Malformed("an unterminated quoted chunk extension value");
                        }
                        char c = line.charAt(i);
                        if (c == '"') {
                            i++;
                            break;
                        }
                        if (c == '\\') {
                            if (i + 1 >= n || !isQuotedPairChar(line.charAt(i + 1))) {
                                throw new Malformed("a bad quoted-pair in a chunk extension");
                            }
                            i += 2;
                        } else if (c == '\t' || c == ' ' || c == 0x21 || c >= 0x23 && c <= 0x5b || c >= 0x5d && c <= 0x7e
                                || c >= 0x80 && c <= 0xff) {
                            i++;
                        } else {
                            throw new Malformed("a control character in a chunk extension");
                        }
                    }
                } else {
                    int valueStart = i;
                    while (i < n && isTokenChar(line.charAt(i))) {
                        i++;
                    }
                    if (i == valueStart) {
                        throw new Malformed("a chunk extension '=' without a value");
                    }
                }
            }
        }
    }

    private static int bws(String line, int i) {
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Header or trailer lines up to the empty line. */
    private List<String[]> fields(String what) throws IOException {
        List<String[]> fields = new ArrayList<>();
        while (true) {
            String line = line(-1);
            if (line.isEmpty()) {
                return fields;
            }
            if (fields.size() == MAX_HEADERS) {
                throw new Malformed("more than " + MAX_HEADERS + " " + what + " lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new Malformed("a " + what + " line without a name and a colon");
            }
            String name = line.substring(0, colon);
            if (!isToken(name)) {
                throw new Malformed("a " + what + " name that is not a token");
            }
            String value = line.substring(colon + 1);
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    throw new Malformed("a control character in a " + what + " value");
                }
            }
            fields.add(new String[] {name, value.strip()});
        }
    }

    /** A line without its CRLF; {@code first} is its first byte if already read, else -1. Bare CR or LF: malformed. */
    private String line(int first) throws IOException {
        StringBuilder line = new StringBuilder();
        int b = first >= 0 ? first : read("a line");
        while (true) {
            if (b == '\r') {
                if (read("a line") != '\n') {
                    throw new Malformed("a bare CR");
                }
                return line.toString();
            }
            if (b == '\n') {
                throw new Malformed("a line ended by a bare LF");
            }
            if (line.length() == MAX_LINE) {
                throw new Malformed("a line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
            b = read("a line");
        }
    }

    private byte[] exactly(long length, String what) throws IOException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new Malformed(what + " is too long for this test parser");
        }
        byte[] bytes = in.readNBytes((int) length);
        consumed.writeBytes(bytes);
        if (bytes.length < length) {
            throw new Truncated(what + ": " + bytes.length + " of " + length + " bytes");
        }
        return bytes;
    }

    private int read(String where) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new Truncated(where);
        }
        consumed.write(b);
        return b;
    }

    static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!isTokenChar(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isTokenChar(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isQuotedPairChar(char c) {
        return c == '\t' || c == ' ' || c >= 0x21 && c <= 0x7e || c >= 0x80 && c <= 0xff;
    }

    private static int hex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80 ? Character.digit(c, 16) : -1;
    }

    /** The bytes as text for a one-line report: printable ASCII as is, the rest as \xHH (\r, \n, \t named). */
    public static String escape(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte value : bytes) {
            int c = value & 0xff;
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        out.append(String.format("\\x%02x", c));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        }
        return out.toString();
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
