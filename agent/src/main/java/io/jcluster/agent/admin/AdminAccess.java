package io.jcluster.agent.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may use the admin endpoint: the request must name the endpoint's own address in {@code Host}, must not come
 * from a web page, and must carry the token when one is set.
 *
 * <p>Why the browser rules: without a token (allowed on loopback) any web page the user visits could otherwise
 * {@code fetch('http://127.0.0.1:9090/scale?processes=100000', {method: 'POST', mode: 'no-cors'})}: a "simple"
 * request, sent without a CORS preflight. A browser marks every such request: {@code Origin} on each POST and each
 * cross-origin fetch (RFC 6454 section 7, Fetch standard), {@code Sec-Fetch-Site} on each request of a modern
 * browser. The CLI, curl, scripts and Prometheus send neither. So a request with any {@code Origin}, even one naming
 * this endpoint (it serves no page that could legitimately send it), or with {@code Sec-Fetch-Site} other than
 * {@code none} (typed in the address bar) or {@code same-origin}, is refused. A page that rebinds its own host name
 * to 127.0.0.1 (DNS rebinding) gets past the same-origin policy but still sends {@code Host: its-name:port}: the
 * Host check refuses that. A wildcard bind ({@code admin=0.0.0.0:port}) is reached under names jcluster cannot know,
 * so it checks no Host; it always has a token, which a rebinding page does not have (browsers never add a bearer
 * token by themselves).
 */
final class AdminAccess {

    /** Why a request is refused: its status and the one-line body. */
    record Refusal(HttpResponseStatus status, String message) {
    }

    /** ::1 as {@link #literal} writes it; shown as [::1]. */
    private static final String IPV6_LOOPBACK = "[0:0:0:0:0:0:0:1]";

    private final Set<String> hosts;
    private final int port;
    private final String expectedHosts;
    private final byte[] expectedAuthorization;

    private AdminAccess(Set<String> hosts, int port, byte[] expectedAuthorization) {
        this.hosts = hosts;
        this.port = port;
        this.expectedAuthorization = expectedAuthorization;
        this.expectedHosts = hosts == null ? "" : String.join(", ", hosts.stream()
                .map(h -> (h.equals(IPV6_LOOPBACK) ? "[::1]" : h) + ":" + port).sorted().toList());
    }

    /** @param token null when no token is required */
    static AdminAccess of(InetSocketAddress address, String token) {
        byte[] authorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        return new AdminAccess(hostNames(address), address.getPort(), authorization);
    }

    /**
     * The names {@code Host} may give for {@code address} (lower case; an IPv6 literal in brackets, written out in
     * full as {@link #literal} does); null: any (a wildcard).
     */
    static Set<String> hostNames(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip.isAnyLocalAddress()) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        names.add(literal(ip));
        if (ip.isLoopbackAddress()) {
            names.addAll(List.of("127.0.0.1", "localhost", IPV6_LOOPBACK));
        }
        String given = address.getHostString(); // the name in admin=NAME:port, if one was given
        if (given != null && !given.isEmpty()) {
            names.add(given.toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(names);
    }

    private static String literal(InetAddress ip) {
        String text = ip.getHostAddress();
        if (ip instanceof Inet6Address) {
            int zone = text.indexOf('%');
            return "[" + (zone < 0 ? text : text.substring(0, zone)) + "]";
        }
        return text;
    }

    /** Null when {@code request} may go on; else why not. */
    Refusal check(HttpVersion version, HttpHeaders headers) {
        return check(version, headers, true);
    }

    /**
     * As {@link #check(HttpVersion, HttpHeaders)}, but with {@code tokenNeeded} false the token is not asked for: the
     * probes {@code GET /ready} and {@code GET /live}, which change nothing and tell one bit, must answer a load
     * balancer's or the kubelet's health check, which cannot be given a secret from a Kubernetes Secret (httpGet
     * headers are plain text in the pod spec). The Host and browser rules still apply.
     */
    Refusal check(HttpVersion version, HttpHeaders headers, boolean tokenNeeded) {
        List<String> host = headers.getAll(HttpHeaderNames.HOST);
        if (host.size() > 1 || (host.isEmpty() && !version.equals(HttpVersion.HTTP_1_0))) {
            // RFC 9112 section 3.2: a request without Host (HTTP/1.1) or with several is answered 400
            return new Refusal(HttpResponseStatus.BAD_REQUEST, "expected one Host header");
        }
        if (hosts != null && !host.isEmpty() && !namesThisEndpoint(host.get(0))) {
            // RFC 9110 section 15.5.20: 421, the request was directed at a server that does not serve that authority
            return new Refusal(HttpResponseStatus.MISDIRECTED_REQUEST, "refused: the Host header does not name this"
                    + " admin endpoint (expected " + expectedHosts + "); to reach it under another name, start it"
                    + " with admin=THAT-NAME:PORT");
        }
        if (headers.contains(HttpHeaderNames.ORIGIN)) {
            return new Refusal(HttpResponseStatus.FORBIDDEN, "refused: requests from web pages (with an Origin header)"
                    + " are not served; use the CLI (java -jar jcluster.jar status), curl or a script");
        }
        String site = headers.get("Sec-Fetch-Site");
        if (site != null && !site.equalsIgnoreCase("none") && !site.equalsIgnoreCase("same-origin")) {
            return new Refusal(HttpResponseStatus.FORBIDDEN, "refused: browser requests from other sites"
                    + " (Sec-Fetch-Site) are not served; use the CLI, curl or a script");
        }
        if (expectedAuthorization != null && tokenNeeded) {
            String given = headers.get(HttpHeaderNames.AUTHORIZATION);
            if (given == null || !MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))) {
                return new Refusal(HttpResponseStatus.UNAUTHORIZED,
                        "missing or wrong token: send 'Authorization: Bearer <admin-token>' (the CLI's --token)");
            }
        }
        return null;
    }

    /** {@code name[:port]}, the port 80 when absent (RFC 9110 section 4.2.1, the http scheme's default). */
    private boolean namesThisEndpoint(String value) {
        String host = value.trim().toLowerCase(Locale.ROOT);
        int givenPort = 80;
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && colon > host.lastIndexOf(']')) {
            try {
                givenPort = Integer.parseInt(host.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
            host = host.substring(0, colon);
        }
        return givenPort == port && hosts.contains(normalized(host));
    }

    /** An IPv6 literal as {@link #literal} writes it ([::1] and [0:0::1] are one address); anything else as it is. */
    private static String normalized(String host) {
        if (host.length() > 2 && host.startsWith("[") && host.endsWith("]")
                && host.substring(1, host.length() - 1).matches("[0-9a-f:.]+")) { // a literal: parsed, never looked up
            try {
                return literal(InetAddress.getByName(host.substring(1, host.length() - 1)));
            } catch (UnknownHostException e) {
                return host;
            }
        }
        return host;
    }
}
