package io.jcluster.it;

import samples.recording.StrictRequestParser;

/**
 * One input of the differential smuggling test: raw bytes a client sends on a fresh connection. The harness
 * appends {@link #TERMINATOR} (an ordinary request that closes the connection) so that every input has a victim
 * request after it, and so that a well-framed input ends without waiting for a timeout.
 */
record SmugglingVector(String name, byte[] bytes) {

    static final String TERMINATOR = "GET /end HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

    /** The bytes as they go on the wire: the vector, then the terminator. */
    byte[] wire() {
        byte[] terminator = TERMINATOR.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] wire = java.util.Arrays.copyOf(bytes, bytes.length + terminator.length);
        System.arraycopy(terminator, 0, wire, bytes.length, terminator.length);
        return wire;
    }

    /** The vector's bytes in the corpus file's notation. */
    String escaped() {
        return StrictRequestParser.escape(bytes);
    }

    @Override
    public String toString() {
        return name + ": " + escaped();
    }
}
