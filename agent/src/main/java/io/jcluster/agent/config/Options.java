package io.jcluster.agent.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The parsed, checked options of one launch. Build with {@link OptionParser#parse(String)}. {@code admin} is null
 * when the admin endpoint is off, {@code adminToken} null when none was given in the options (the parent's token
 * comes from {@link AdminToken}), {@code adminTokenFile} null when none was named, {@code healthPath} null for TCP
 * probes, {@code maxMemory} 0 when off, {@code tcpIdleTimeout} zero when off,
 * {@code trustedProxies} {@link TrustedProxies#NONE} when none is.
 */
public record Options(
        int processes,
        Strategy strategy,
        List<Integer> ports,
        Duration shutdownTimeout,
        LogMode log,
        Duration restartDelay,
        int maxRestarts,
        InetSocketAddress admin,
        String adminToken,
        String healthPath,
        Duration healthInterval,
        int healthThreshold,
        long maxMemory,
        Duration readyTimeout,
        Mode mode,
        Path tlsCert,
        Path tlsKey,
        String sticky,
        int maxConnections,
        int maxQueue,
        Duration queueTimeout,
        Duration headerTimeout,
        Duration idleTimeout,
        Duration responseTimeout,
        Duration bodyTimeout,
        H2cUpgrade h2cUpgrade,
        TransportChoice transport,
        Balancing balancer,
        int maxProcesses,
        Path adminTokenFile,
        Duration tcpIdleTimeout,
        TrustedProxies trustedProxies,
        ProxyProtocol proxyProtocol) {

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

    public Options {
        ports = List.copyOf(ports);
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /** Whether the admin endpoint is on ({@code admin=}). */
    public boolean adminEnabled() {
        return admin != null;
    }

    /** Whether workers are probed with an HTTP GET ({@code health=/path}) rather than a TCP connect. */
    public boolean httpHealth() {
        return healthPath != null;
    }

    /** Whether the workers share the app's ports with SO_REUSEPORT and the parent runs no proxy. */
    public boolean kernelBalancing() {
        return balancer == Balancing.KERNEL;
    }

    /** Whether a bind of {@code port} is moved behind the balancer (balancer=kernel: shared with SO_REUSEPORT). */
    public boolean clusters(int port) {
        return port != 0 && (ports.isEmpty() || ports.contains(port));
    }
}
