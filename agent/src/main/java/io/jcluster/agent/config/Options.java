package io.jcluster.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The parsed, checked options of one launch, grouped by who needs them: the supervisor, the balancer (proxy), http
 * mode, health probes and the admin endpoint. Build with {@link OptionParser#parse(String)}.
 *
 * @param adminEndpoint named so because {@code admin()} still returns the address (see the flat accessors below)
 */
public record Options(
        SupervisorOptions supervisor,
        ProxyOptions proxy,
        HttpOptions http,
        HealthOptions health,
        AdminOptions adminEndpoint) {

    /** How the balancer speaks to clients. */
    public enum Mode { TCP, HTTP }

    /** What http mode does with a request asking to upgrade to HTTP/2 over cleartext ({@code h2c-upgrade=}). */
    public enum H2cUpgrade { REFUSE, PASS }

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

    // The flat accessors of the options before they were grouped, kept while the packages that other work on the
    // same issue restructures still call them. Each one is a delegate; new code uses the groups.

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public int processes() { return supervisor.processes(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public int maxProcesses() { return supervisor.maxProcesses(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration restartDelay() { return supervisor.restartDelay(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public int maxRestarts() { return supervisor.maxRestarts(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration shutdownTimeout() { return supervisor.shutdownTimeout(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration readyTimeout() { return supervisor.readyTimeout(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public long maxMemory() { return supervisor.maxMemory(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public LogMode log() { return supervisor.log(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public List<Integer> ports() { return proxy.ports(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Mode mode() { return proxy.mode(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Balancing balancer() { return proxy.balancer(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Strategy strategy() { return proxy.strategy(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public TransportChoice transport() { return proxy.transport(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public int maxConnections() { return proxy.maxConnections(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public int maxQueue() { return proxy.maxQueue(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration queueTimeout() { return proxy.queueTimeout(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration tcpIdleTimeout() { return proxy.tcpIdleTimeout(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public ProxyProtocol proxyProtocol() { return proxy.proxyProtocol(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public boolean kernelBalancing() { return proxy.kernelBalancing(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public boolean clusters(int port) { return proxy.clusters(port); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration headerTimeout() { return http.headerTimeout(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration idleTimeout() { return http.idleTimeout(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration responseTimeout() { return http.responseTimeout(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration bodyTimeout() { return http.bodyTimeout(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public H2cUpgrade h2cUpgrade() { return http.h2cUpgrade(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public String sticky() { return http.sticky(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Path tlsCert() { return http.tlsCert(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Path tlsKey() { return http.tlsKey(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public boolean tls() { return http.tls(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public TrustedProxies trustedProxies() { return http.trustedProxies(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public String healthPath() { return health.path(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Duration healthInterval() { return health.interval(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public int healthThreshold() { return health.threshold(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public boolean httpHealth() { return health.overHttp(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public InetSocketAddress admin() { return adminEndpoint.address(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public String adminToken() { return adminEndpoint.token(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public Path adminTokenFile() { return adminEndpoint.tokenFile(); }

    @Deprecated(forRemoval = true) // removed after the issue-13 merge
    public boolean adminEnabled() { return adminEndpoint.enabled(); }
}
