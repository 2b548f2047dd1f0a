package io.jcluster.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The parsed, checked options of one launch, grouped by who needs them: the supervisor, the balancer (proxy), http
 * mode, health probes, the admin endpoint, the Cluster API's store and the service manager (pid file). Build with {@link OptionParser#parse(String)}.
 */
public record Options(
        SupervisorOptions supervisor,
        ProxyOptions proxy,
        HttpOptions http,
        HealthOptions health,
        AdminOptions admin,
        StoreOptions store,
        ServiceOptions service,
        LogOptions logs) {

    /** How the balancer speaks to clients. */
    public enum Mode {
        TCP, HTTP, GRPC;

        /** As mode= spells it, and the startup line and the admin endpoint say it. */
        public String optionValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What http mode does with a request asking to upgrade to HTTP/2 over cleartext ({@code h2c-upgrade=}). */
    public enum H2cUpgrade { REFUSE, PASS }

    /**
     * {@code http2=}: not given (HTTP/2 with TLS only, as nginx and HAProxy default), on (also h2c with prior
     * knowledge on a plain listener), off.
     */
    public enum Http2 { TLS_ONLY, ON, OFF }

    /** Who does the TLS work ({@code tls-provider=}): OpenSSL where it loads (auto), OpenSSL, or the JDK. */
    public enum TlsProvider {
        AUTO, OPENSSL, JDK;

        /** The option value: {@code auto}, {@code openssl}, {@code jdk}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which socket implementation the balancer asks for ({@code transport=}). */
    public enum TransportChoice {
        AUTO, IO_URING, EPOLL, NIO;

        /** The option value: {@code io_uring}, {@code epoll}, ... */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Who spreads connections over the workers: the parent's proxy, or (Linux) the kernel, each worker binding the
     * app's port itself with SO_REUSEPORT.
     */
    public enum Balancing { PROXY, KERNEL }

    /**
     * Whether the standalone balancer starts each backend connection with a PROXY protocol header
     * ({@code proxy-protocol=}), and which version (HAProxy's proxy-protocol.txt: v1 text, v2 binary).
     */
    public enum ProxyProtocol { OFF, V1, V2 }

    /** The value of sticky= that turns stickiness off. */
    public static final String NOT_STICKY = "off";
}
