package io.jcluster.agent.config;

import java.util.List;
import java.util.Map;

/**
 * Options of http mode's HTTP/1.1 proxy that mean nothing to gRPC calls (relayed as HTTP/2 frames: no request framing
 * to time, no cookies, nothing cacheable, always HTTP/2): given with mode=grpc, refused rather than silently ignored.
 * (tls-cert, trusted-proxies, idle-timeout, send-timeout and max-concurrent-streams apply to both.)
 */
final class GrpcModeRule {

    private GrpcModeRule() {
    }

    static void check(Map<Option, List<String>> given) throws OptionException {
        for (Option option : List.of(Option.HEADER_TIMEOUT, Option.RESPONSE_TIMEOUT, Option.BODY_TIMEOUT,
                Option.H2C_UPGRADE, Option.STICKY, Option.CACHE, Option.CACHE_MAX_OBJECT, Option.CACHE_STATUS_HEADER)) {
            List<String> values = given.get(option);
            if (values != null && !values.isEmpty()) {
                throw new OptionException(option.key() + "=" + values.get(0) + ": needs mode=http (mode=grpc relays"
                        + " each call's HTTP/2 frames: its deadline is the call's grpc-timeout, it has no cookies and"
                        + " nothing cacheable, and one worker connection carries many clients' calls)");
            }
        }
        List<String> proxyProtocol = given.get(Option.PROXY_PROTOCOL);
        if (proxyProtocol != null && !proxyProtocol.isEmpty()) {
            throw new OptionException("proxy-protocol=" + proxyProtocol.get(0) + ": not with mode=grpc (one backend"
                    + " connection carries the calls of many clients, so no PROXY header can name one; backends read"
                    + " the client from x-forwarded-for)");
        }
        List<String> http2 = given.get(Option.HTTP2);
        if (http2 != null && !http2.isEmpty() && http2.get(0).equals("off")) {
            throw new OptionException("http2=off: mode=grpc needs HTTP/2 (gRPC is HTTP/2 only); leave http2 out");
        }
    }
}
