package samples.recording;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Recording mode of the sample apps (the same class as integration-tests/apps/recorder, for the samples built here,
 * plus {@link #note}), for the differential request-smuggling test (HttpDesyncIT): started with
 * {@code -Drec.journal=FILE}, an app answers every request, whatever its method and target, with one line that
 * says what the server stack parsed, and appends the same line to FILE before it answers. The test compares these
 * lines across stacks, and with the requests jcluster forwarded.
 *
 * <pre>
 *   REC m=POST t=/a?b len=5 sha=2cf24dba5fb0a30e conn=41234 xff=127.0.0.1
 * </pre>
 *
 * m: the method; t: the target as the stack reports it (path and query); len and sha: the length and the first 16
 * hex digits of the SHA-256 of the body as the app read it (to its end, as an ordinary app does); conn: the remote
 * port, i.e. which connection; xff: X-Forwarded-For or "-". Bytes outside printable ASCII, space and '%' are
 * written %XX, so a record is always one line of space-separated fields.
 */
public final class RequestJournal {

    /** The system property that turns recording mode on and names the journal file. */
    public static final String PROPERTY = "rec.journal";

    private final OutputStream out;

    private RequestJournal(OutputStream out) {
        this.out = out;
    }

    /** The journal named by {@code -Drec.journal}, or null when recording mode is off. */
    public static RequestJournal fromSystemProperty() {
        String file = System.getProperty(PROPERTY);
        if (file == null || file.isEmpty()) {
            return null;
        }
        try {
            return new RequestJournal(new FileOutputStream(file, true));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the request journal " + file, e);
        }
    }

    /** Appends the record of one parsed request to the journal (one write, flushed); returns the line (no newline). */
    public String record(String method, String target, byte[] body, int remotePort, String forwardedFor) {
        String line = "REC m=" + escape(method) + " t=" + escape(target) + " len=" + body.length
                + " sha=" + sha256Prefix(body) + " conn=" + remotePort
                + " xff=" + (forwardedFor == null ? "-" : escape(forwardedFor));
        note(line);
        return line;
    }

    /** Appends a line that is not a record (the reference oracle's findings: BAD, PARTIAL). */
    public void note(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
        synchronized (this) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public static String sha256Prefix(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                hex.append(String.format("%02x", digest[i] & 0xff));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String escape(String text) {
        if (text == null) {
            return "%00null";
        }
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '%') {
                out.append('%').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }
}
