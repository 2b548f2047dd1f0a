package io.jcluster.agent.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Tells the app who really connected, the way an nginx or HAProxy in front of it would: X-Forwarded-For and
 * RFC 7239 Forwarded are appended to (earlier proxies keep their entries); X-Forwarded-Proto, -Host and -Port
 * describe the connection to jcluster and replace what the client sent.
 */
final class ForwardedHeaders {

    static final String X_FORWARDED_FOR = "x-forwarded-for";
    static final String X_FORWARDED_PROTO = "x-forwarded-proto";
    static final String X_FORWARDED_HOST = "x-forwarded-host";
    static final String X_FORWARDED_PORT = "x-forwarded-port";
    static final String FORWARDED = "forwarded";

    private ForwardedHeaders() {
    }

    static void add(HttpHeaders headers, InetAddress client, boolean secure, int port) {
        String address = client.getHostAddress();
        String proto = secure ? "https" : "http";
        String host = headers.get(HttpHeaderNames.HOST);

        String forwardedFor = headers.get(X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, forwardedFor == null ? address : forwardedFor + ", " + address);
        headers.set(X_FORWARDED_PROTO, proto);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
        headers.set(X_FORWARDED_PORT, Integer.toString(port));

        StringBuilder element = new StringBuilder(64).append("for=");
        if (client instanceof Inet6Address) {
            element.append("\"[").append(address).append("]\"");
        } else {
            element.append(address);
        }
        if (host != null) {
            element.append(";host=").append(token(host));
        }
        element.append(";proto=").append(proto);
        String forwarded = headers.get(FORWARDED);
        headers.set(FORWARDED, forwarded == null ? element : forwarded + ", " + element);
    }

    /** A value as an RFC 7230 token, quoted when it holds anything else (a host's ':' does). */
    private static String token(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
        }
        return value;
    }
}
