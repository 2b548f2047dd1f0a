package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.wire.MessageHead;

import java.nio.charset.StandardCharsets;

/**
 * The request headers by which a proxy tells the app who the client is and how it connected. Only a proxy may say
 * that: from a client's own connection each of them is a lie waiting to be believed (a spoofed client address in
 * the logs and rate limits, host-poisoned password-reset links, a fake https), so jcluster removes them all unless
 * the peer is a trusted proxy. The list is what the common stacks honour:
 * <ul>
 *   <li>X-Forwarded-For/-Proto/-Host/-Port/-Prefix/-Ssl and RFC 7239 Forwarded: Spring's ForwardedHeaderFilter,
 *   Tomcat's RemoteIpValve (also X-Forwarded-By), Jetty's ForwardedRequestCustomizer (also X-Forwarded-Server,
 *   X-Proxied-Https, Proxy-ssl-id, Proxy-auth-cert), Undertow's ProxyPeerAddressHandler, Vert.x/Quarkus, Express,
 *   Django, Werkzeug's ProxyFix;</li>
 *   <li>other scheme claims: X-Forwarded-Scheme and X-Forwarded-Ssl (Rack), X-Forwarded-Protocol (gunicorn),
 *   X-Url-Scheme, Front-End-Https (Microsoft's proxies);</li>
 *   <li>client-address claims read by apps and logging setups: X-Real-IP (nginx), X-Client-IP, Client-IP (Rails),
 *   True-Client-IP (Akamai, Cloudflare), CF-Connecting-IP, Fastly-Client-IP, X-Cluster-Client-IP,
 *   X-Original-Forwarded-For;</li>
 *   <li>TLS client-certificate claims: ssl_client_cert, ssl_client_escaped_cert, ssl_cipher, ssl_session_id,
 *   ssl_cipher_usekeysize (Tomcat's SSLValve; Undertow's SSLHeaderHandler reads the same names in capitals) and
 *   X-Forwarded-Client-Cert (Envoy): with those a client could present a certificate it does not hold.</li>
 * </ul>
 *
 * <p>Names match ignoring case and with '_' read as '-': CGI-style stacks (Rack, PHP, gunicorn, WSGI) map both to
 * the same variable, and Tomcat's and Undertow's certificate headers are spelt with underscores in the first place.
 * (nginx drops headers with underscores by default for the same reason.)
 */
final class ForwardingHeaderNames {

    /** The headers jcluster writes anew; the others it only removes. Their index is the constant's value. */
    static final int X_FORWARDED_FOR = 0;
    static final int FORWARDED = 1;
    static final int X_FORWARDED_PROTO = 2;
    static final int X_FORWARDED_HOST = 3;
    static final int X_FORWARDED_PORT = 4;
    static final int X_REAL_IP = 5;
    /** Any other name of the list. */
    static final int OTHER = 6;

    static final String[] NAMES = {
            "x-forwarded-for", "forwarded", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip",
            "x-forwarded-prefix", "x-forwarded-ssl", "x-forwarded-server", "x-forwarded-by", "x-forwarded-scheme",
            "x-forwarded-protocol", "x-url-scheme", "x-proxied-https", "front-end-https",
            "x-client-ip", "client-ip", "true-client-ip", "cf-connecting-ip", "fastly-client-ip", "x-cluster-client-ip",
            "x-original-forwarded-for",
            "x-forwarded-client-cert", "ssl-client-cert", "ssl-client-escaped-cert", "ssl-cipher", "ssl-session-id",
            "ssl-cipher-usekeysize", "proxy-ssl-id", "proxy-auth-cert"};

    private static final int LONGEST;
    /** Per name length: the names of that length, as bytes. */
    private static final byte[][][] BY_LENGTH;
    /** Per name length: their index in {@link #NAMES}. */
    private static final int[][] INDEX_BY_LENGTH;
    /** Per name length: a bit per first letter ('a' = bit 0) that some name of that length starts with. */
    private static final int[] FIRST_LETTERS;

    static {
        int longest = 0;
        for (String name : NAMES) {
            longest = Math.max(longest, name.length());
        }
        LONGEST = longest;
        BY_LENGTH = new byte[longest + 1][0][];
        INDEX_BY_LENGTH = new int[longest + 1][0];
        FIRST_LETTERS = new int[longest + 1];
        for (int i = 0; i < NAMES.length; i++) {
            int length = NAMES[i].length();
            byte[][] names = java.util.Arrays.copyOf(BY_LENGTH[length], BY_LENGTH[length].length + 1);
            names[names.length - 1] = NAMES[i].getBytes(StandardCharsets.US_ASCII);
            BY_LENGTH[length] = names;
            int[] indexes = java.util.Arrays.copyOf(INDEX_BY_LENGTH[length], INDEX_BY_LENGTH[length].length + 1);
            indexes[indexes.length - 1] = i;
            INDEX_BY_LENGTH[length] = indexes;
            FIRST_LETTERS[length] |= 1 << (NAMES[i].charAt(0) - 'a');
        }
    }

    private ForwardingHeaderNames() {
    }

    /**
     * Which forwarding header the name in {@code bytes[start, end)} is (a header-name token, as {@link MessageHead}
     * checked), ignoring case and reading '_' as '-'.
     *
     * @return {@link #X_FORWARDED_FOR} ... {@link #X_REAL_IP}, {@link #OTHER} for the rest of the list, -1 if none
     */
    static int match(byte[] bytes, int start, int end) {
        int length = end - start;
        if (length > LONGEST) {
            return -1;
        }
        int first = (bytes[start] | 0x20) - 'a';
        if (first < 0 || first > 25 || (FIRST_LETTERS[length] & 1 << first) == 0) {
            return -1; // most names end here: the common request headers share no length and first letter with these
        }
        byte[][] names = BY_LENGTH[length];
        for (int n = 0; n < names.length; n++) {
            byte[] name = names[n];
            int i = 0;
            while (i < length && lower(bytes[start + i]) == name[i]) {
                i++;
            }
            if (i == length) {
                int index = INDEX_BY_LENGTH[length][n];
                return index < OTHER ? index : OTHER;
            }
        }
        return -1;
    }

    /** A token character lower-cased, '_' read as '-' (the names hold only letters and '-'). */
    private static int lower(byte b) {
        return b == '_' ? '-' : b | 0x20;
    }
}
