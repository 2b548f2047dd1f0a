package io.jcluster.agent.routing.proxy;

import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.balancer.ConnectionLimit;
import io.jcluster.agent.balancer.Frontend;
import io.jcluster.agent.balancer.Transport;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.http.grpc.GrpcFrontend;
import io.jcluster.agent.log.AccessLog;
import io.jcluster.agent.log.AccessLogFile;
import io.jcluster.agent.http.proxy.HttpFrontend;
import io.jcluster.agent.http.wire.RequestLine;
import io.jcluster.agent.http.proxy.TlsContext;
import io.jcluster.agent.log.Log;
import io.jcluster.agent.stop.Draining;

/**
 * The balancer as the options describe it (frontend for the mode, socket transport, connection limit, strategy),
 * for the agent's parent and the standalone balancer alike. Everything that can be wrong with the options is found
 * by {@link #of} before a thread starts.
 */
public final class ProxyFrontends {

    private final Options options;
    private final Frontend frontend;
    private final Transport transport;

    private ProxyFrontends(Options options, Frontend frontend, Transport transport) {
        this.options = options;
        this.frontend = frontend;
        this.transport = transport;
    }

    /**
     * Checks the TLS material (http and grpc mode) and the transport the options ask for.
     *
     * @param backendsLearnTheClient whether each backend learns its clients' addresses from the balancer (the
     *                               agent's workers, or backends that read a PROXY header)
     */
    public static ProxyFrontends of(Options options, boolean backendsLearnTheClient) throws SetupException {
        try {
            Frontend frontend = switch (options.proxy().mode()) {
                case HTTP -> HttpFrontend.of(options, backendsLearnTheClient);
                case GRPC -> GrpcFrontend.of(options); // its worker connections carry many clients' calls
                case TCP -> Frontend.tcp(options.proxy().tcpIdleTimeout(), RequestLine::isStartOf);
            };
            Transport transport = Transport.choose(options.proxy().transport());
            ProxyFrontends frontends = new ProxyFrontends(options, frontend, transport);
            if (options.http().tls()) {
                // after every check passed: a launch that fails says one line, its error
                String note = TlsContext.provider(options.http()).note();
                if (note != null) {
                    Log.info(note);
                }
            }
            return frontends;
        } catch (TlsContext.TlsException | Transport.UnavailableException | AccessLogFile.Unusable e) {
            throw new SetupException(e.getMessage());
        }
    }

    /** The balancer's response cache ({@code cache=}, http mode), for the admin endpoint; null when it is off. */
    public ResponseCache cache() {
        return frontend instanceof HttpFrontend http ? http.cache() : null;
    }

    /** The balancer's access log ({@code access-log=}, http and grpc mode), for the admin endpoint; null when off. */
    public AccessLog accessLog() {
        return frontend instanceof HttpFrontend http ? http.accessLog()
                : frontend instanceof GrpcFrontend grpc ? grpc.accessLog() : null;
    }

    /** Starts the balancer's event loops; it listens on nothing yet. */
    public Balancer start() {
        return Balancer.start(options.proxy().strategy(), frontend,
                new ConnectionLimit(options.proxy().maxConnections(), options.proxy().maxQueue(), options.proxy().queueTimeout()), transport,
                options.proxy().eventLoops());
    }

    /**
     * What the startup line says about how {@code balancer} balances: "round-robin, http, epoll[, max-...]", with
     * TLS "round-robin, https, TLS by OpenSSL (BoringSSL), epoll".
     */
    public static String settings(Balancer balancer, Options options) {
        String tls = options.http().tls() ? ", TLS by " + TlsContext.describe(options.http()) : "";
        return options.proxy().strategy().optionValue() + ", " + balancer.frontendName() + tls + ", "
                + balancer.transportName()
                + (options.proxy().maxConnections() > 0 ? ", max-connections=" + options.proxy().maxConnections() : "")
                + (options.proxy().eventLoops() > 0 ? ", event-loops=" + balancer.eventLoops() : "");
    }

    /** {@code balancer}'s client connections, for {@link io.jcluster.agent.stop.GracefulStop}. */
    public static Draining connectionsOf(Balancer balancer) {
        return new Draining() {
            @Override
            public void stopAccepting() {
                balancer.stopAccepting();
            }

            @Override
            public long drain(long deadlineNanos) throws InterruptedException {
                return balancer.drain(deadlineNanos);
            }
        };
    }

    /** The options ask for something this machine cannot give (TLS material, a transport); exit status 2. */
    public static final class SetupException extends Exception {
        SetupException(String message) {
            super(message);
        }
    }
}
