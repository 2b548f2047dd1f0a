package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Frontend;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.config.HttpOptions;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.config.TrustedProxies;
import io.jcluster.agent.http.h2.AlpnSwitch;
import io.jcluster.agent.http.h2.H2Connection;
import io.jcluster.agent.http.h2.H2Limits;
import io.jcluster.agent.http.h2.PriorKnowledge;
import io.jcluster.agent.http.h2.Protocols;
import io.jcluster.agent.http.proxy.ForwardedHeaders;
import io.jcluster.agent.http.proxy.HttpSettings;
import io.jcluster.agent.http.proxy.TlsContext;
import io.jcluster.agent.log.AccessLog;
import io.jcluster.agent.log.AccessLogFile;
import io.jcluster.agent.log.Log;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * mode=grpc: clients speak HTTP/2 (ALPN h2 with tls-cert, else h2c with prior knowledge), on the h2 package's
 * connection with all its limits (max-concurrent-streams, rapid reset, HPACK bomb, CONTINUATION and control-frame
 * floods, idle GOAWAY, GOAWAY on graceful stop); each stream is one call ({@link GrpcCall}), balanced on its own
 * and relayed frame by frame over the event loop's HTTP/2 connections to the workers ({@link WorkerConnections}).
 */
public final class GrpcFrontend implements Frontend {

    /** What connections accepted now get; replaced as a whole on a SIGHUP (the access log stays the one opened). */
    private record Settings(H2Limits h2, Duration sendTimeout, SslContext tls, TrustedProxies trustedProxies,
                            AccessLog accessLog) {
    }

    private volatile Settings settings;
    private final boolean tls;

    private GrpcFrontend(Settings settings, boolean tls) {
        this.settings = settings;
        this.tls = tls;
    }

    /**
     * @throws TlsContext.TlsException when tls-cert/tls-key cannot be used; its message is the line to show
     * @throws AccessLogFile.Unusable when access-log names a file that cannot be opened; its message is the line to show
     */
    public static GrpcFrontend of(Options options) throws TlsContext.TlsException, AccessLogFile.Unusable {
        HttpOptions http = options.http();
        SslContext tls = http.tls() ? TlsContext.load(http.tlsCert(), http.tlsKey(), true, http.tlsProvider()) : null;
        return new GrpcFrontend(new Settings(limits(options), http.sendTimeout(), tls, http.trustedProxies(),
                AccessLogFile.open(options.logs())), tls != null);
    }

    /**
     * For tests: plain h2c, these limits and send-timeout, peers in {@code trusted} trusted, calls logged to
     * {@code accessLog}.
     */
    static GrpcFrontend plain(H2Limits limits, Duration sendTimeout, TrustedProxies trusted, AccessLog accessLog) {
        return new GrpcFrontend(new Settings(limits, sendTimeout, null, trusted, accessLog), false);
    }

    /** For tests: {@link #plain(H2Limits, Duration, TrustedProxies, AccessLog)} with send-timeout's default. */
    static GrpcFrontend plain(H2Limits limits, TrustedProxies trusted, AccessLog accessLog) {
        return plain(limits, Duration.ofSeconds(60), trusted, accessLog);
    }

    /** The access log ({@code access-log=}), or null when it is off. */
    public AccessLog accessLog() {
        return settings.accessLog();
    }

    private static H2Limits limits(Options options) {
        HttpOptions http = options.http();
        return new H2Limits(http.maxConcurrentStreams(), HttpSettings.MAX_REQUEST_HEADERS, http.idleTimeout(),
                options.supervisor().shutdownTimeout());
    }

    /**
     * A SIGHUP: connections accepted from now on get the new idle-timeout, send-timeout, shutdown-timeout and
     * trusted-proxies, and the tls-cert/tls-key files read again (if they cannot be used now, the running certificate
     * stays and a line says why). Open connections keep what they were accepted with.
     */
    @Override
    public synchronized void reconfigure(Options options) {
        HttpOptions http = options.http();
        SslContext context = settings.tls();
        if (tls && http.tls()) {
            try {
                context = TlsContext.load(http.tlsCert(), http.tlsKey(), true, http.tlsProvider());
            } catch (TlsContext.TlsException e) {
                Log.info("SIGHUP: " + e.getMessage() + "; the running certificate is kept");
            }
        }
        settings = new Settings(limits(options), http.sendTimeout(), context, http.trustedProxies(),
                settings.accessLog());
    }

    @Override
    public String name() {
        return tls ? "grpc (TLS)" : "grpc";
    }

    @Override
    public void serve(Channel client, Upstream upstream) {
        Settings settings = this.settings;
        ChannelPipeline pipeline = client.pipeline();
        Calls calls = new Calls(settings, upstream);
        if (settings.tls() != null) {
            pipeline.addLast("tls", settings.tls().newHandler(client.alloc()));
            pipeline.addLast(new AlpnSwitch(calls));
        } else {
            pipeline.addLast(new PriorKnowledge(calls, settings.h2().idleTimeout()));
        }
    }

    /** At max-connections with a full queue: closed (before its preface there is no stream to answer on). */
    @Override
    public void reject(Channel client, Upstream upstream, String why) {
        client.close();
    }

    /** A client connection's protocol, once known: HTTP/2 carries calls, HTTP/1.x is refused. */
    private static final class Calls implements Protocols {
        private final Settings settings;
        private final Upstream upstream;

        Calls(Settings settings, Upstream upstream) {
            this.settings = settings;
            this.upstream = upstream;
        }

        @Override
        public void http1(ChannelPipeline pipeline) {
            pipeline.addLast(new Http1Refusal());
        }

        @Override
        public void h2(ChannelPipeline pipeline) {
            Channel client = pipeline.channel();
            ClientCalls calls = new ClientCalls(upstream, forwarding(client), WorkerConnections.ofThisLoop(),
                    settings.accessLog() == null ? null : new CallLog(settings.accessLog(), address(client)
                            .getHostAddress()), settings.sendTimeout().toNanos());
            H2Connection.install(pipeline, settings.h2(), stream -> stream.pipeline().addLast(new GrpcCall(calls)));
        }

        private static InetAddress address(Channel client) {
            SocketAddress peer = client.remoteAddress();
            return peer instanceof InetSocketAddress inet && inet.getAddress() != null
                    ? inet.getAddress() : InetAddress.getLoopbackAddress();
        }

        private GrpcForwarding forwarding(Channel client) {
            InetAddress address = address(client);
            boolean trusted = settings.trustedProxies().contains(address);
            return new GrpcForwarding(new ForwardedHeaders(address, settings.tls() != null, upstream.port(), trusted),
                    trusted);
        }
    }
}
