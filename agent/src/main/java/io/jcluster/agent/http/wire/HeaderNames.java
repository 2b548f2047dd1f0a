package io.jcluster.agent.http.wire;

import java.nio.charset.StandardCharsets;

/**
 * The header names the proxy looks at, found by length and first letter without decoding (the kinds are
 * {@link MessageHead}'s constants), and the token characters that names are made of.
 */
final class HeaderNames {

    private static final byte[][] NAMES = new byte[MessageHead.EXPECT + 1][];
    private static final boolean[] TOKEN = new boolean[256];

    static {
        String[] names = {null, "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection",
                "te", "trailer", "upgrade", "host", "cookie", "set-cookie", "x-forwarded-for", "x-forwarded-proto",
                "x-forwarded-host", "x-forwarded-port", "forwarded", "http2-settings", "expect"};
        for (int i = 1; i < names.length; i++) {
            NAMES[i] = names[i].getBytes(StandardCharsets.US_ASCII);
        }
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    /** How many kinds there are (for tables indexed by kind). */
    static final int KINDS = NAMES.length;

    private HeaderNames() {
    }

    /** Whether {@code b} may appear in a token (RFC 9110 section 5.6.2): header names, methods, chunk extensions. */
    static boolean isToken(byte b) {
        return TOKEN[b & 0xff];
    }

    /** Which known header the name in {@code bytes[s, e)} is, ignoring case; {@link MessageHead#OTHER} if none. */
    static byte classify(byte[] bytes, int s, int e) {
        switch (e - s) {
            case 2:
                return match(bytes, s, MessageHead.TE);
            case 4:
                return match(bytes, s, MessageHead.HOST);
            case 6:
                return (bytes[s] | 0x20) == 'e' ? match(bytes, s, MessageHead.EXPECT) : match(bytes, s, MessageHead.COOKIE);
            case 7: {
                byte first = (byte) (bytes[s] | 0x20);
                return first == 'u' ? match(bytes, s, MessageHead.UPGRADE)
                        : first == 't' ? match(bytes, s, MessageHead.TRAILER) : MessageHead.OTHER;
            }
            case 9:
                return match(bytes, s, MessageHead.FORWARDED);
            case 10: {
                byte first = (byte) (bytes[s] | 0x20);
                return first == 'c' ? match(bytes, s, MessageHead.CONNECTION)
                        : first == 'k' ? match(bytes, s, MessageHead.KEEP_ALIVE)
                        : first == 's' ? match(bytes, s, MessageHead.SET_COOKIE) : MessageHead.OTHER;
            }
            case 14: {
                byte first = (byte) (bytes[s] | 0x20);
                return first == 'c' ? match(bytes, s, MessageHead.CONTENT_LENGTH)
                        : first == 'h' ? match(bytes, s, MessageHead.HTTP2_SETTINGS) : MessageHead.OTHER;
            }
            case 15:
                return match(bytes, s, MessageHead.X_FORWARDED_FOR);
            case 16: {
                byte first = (byte) (bytes[s] | 0x20);
                if (first == 'p') {
                    return match(bytes, s, MessageHead.PROXY_CONNECTION);
                }
                byte which = (byte) (bytes[s + 12] | 0x20); // x-forwarded-[h]ost, x-forwarded-[p]ort
                return first != 'x' ? MessageHead.OTHER : which == 'h' ? match(bytes, s, MessageHead.X_FORWARDED_HOST)
                        : match(bytes, s, MessageHead.X_FORWARDED_PORT);
            }
            case 17: {
                byte first = (byte) (bytes[s] | 0x20);
                return first == 't' ? match(bytes, s, MessageHead.TRANSFER_ENCODING)
                        : first == 'x' ? match(bytes, s, MessageHead.X_FORWARDED_PROTO) : MessageHead.OTHER;
            }
            default:
                return MessageHead.OTHER;
        }
    }

    private static byte match(byte[] bytes, int s, byte kind) {
        byte[] name = NAMES[kind];
        for (int i = 0; i < name.length; i++) {
            if ((bytes[s + i] | 0x20) != name[i]) { // token characters: | 0x20 lower-cases letters, keeps '-'
                return MessageHead.OTHER;
            }
        }
        return kind;
    }
}
