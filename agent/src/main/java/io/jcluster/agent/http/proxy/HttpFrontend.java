package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Frontend;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.config.HttpOptions;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.http.h2.AlpnSwitch;
import io.jcluster.agent.http.h2.H2ProxyConnection;
import io.jcluster.agent.http.h2.H2Limits;
import io.jcluster.agent.http.h2.H2Refusal;
import io.jcluster.agent.http.h2.PriorKnowledge;
import io.jcluster.agent.http.h2.Protocols;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.log.AccessLog;
import io.jcluster.agent.log.AccessLogFile;
import io.jcluster.agent.log.Log;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.ssl.SslContext;

import java.util.concurrent.TimeUnit;

/**
 * mode=http: each client connection gets a {@link HttpProxyHandler} that reads its requests' framing from the raw
 * bytes and sends each request to a worker of its own (pooled keep-alive connections to the workers). With
 * tls-cert, TLS ends here. With HTTP/2 (ALPN h2, or h2c with prior knowledge when http2=on on a plain listener) each
 * stream is one such request, on an exchange of its own (see {@link H2ProxyConnection}).
 */
public final class HttpFrontend implements Frontend {

    private static final HttpDecoderConfig REQUESTS = new HttpDecoderConfig()
            .setMaxInitialLineLength(HttpSettings.MAX_REQUEST_LINE)
            .setMaxHeaderSize(HttpSettings.MAX_REQUEST_HEADERS)
            .setMaxChunkSize(HttpSettings.MAX_CHUNK);

    /**
     * The settings new connections get: read once per connection, which keeps them until it closes; replaced as a
     * whole by {@link #reconfigure}.
     */
    private volatile HttpSettings settings;
    /** HTTP/2's limits new connections get (max-concurrent-streams is fixed, the timeouts follow a SIGHUP); null when http2=off. */
    private volatile H2Limits h2;
    /** http2=on on a plain listener: h2c with prior knowledge. */
    private final boolean h2c;
    /** The sticky= value of {@link #settings}' stickiness (kept, with what it learned, while sticky= is unchanged). */
    private String sticky;
    /** Reads tls-cert and tls-key, at start and on each SIGHUP (a renewed certificate); null for plain http. */
    private final TlsLoader tlsLoader;

    /** The one way this frontend's TLS context is made from the files, so that a reload makes the same kind. */
    @FunctionalInterface
    private interface TlsLoader {
        SslContext load() throws TlsContext.TlsException;
    }

    private HttpFrontend(HttpSettings settings, H2Limits h2, boolean h2c, String sticky, TlsLoader tlsLoader) {
        this.settings = settings;
        this.h2 = h2;
        this.h2c = h2c;
        this.sticky = sticky;
        this.tlsLoader = tlsLoader;
    }

    /**
     * @param backendsLearnTheClient whether a backend connection tells its server who the client is (the agent's
     *                               client address table in the workers, or a PROXY header): then it carries the
     *                               requests of one client connection only
     * @throws TlsContext.TlsException when tls-cert/tls-key cannot be used; its message is the line to show
     */
    public static HttpFrontend of(Options options, boolean backendsLearnTheClient)
            throws TlsContext.TlsException, AccessLogFile.Unusable {
        HttpOptions http = options.http();
        boolean h2 = http.tls() ? http.http2() != Options.Http2.OFF : http.http2() == Options.Http2.ON;
        TlsLoader tlsLoader = http.tls() ? () -> TlsContext.load(http.tlsCert(), http.tlsKey(), h2, http.tlsProvider()) : null;
        SslContext tls = tlsLoader == null ? null : tlsLoader.load();
        AccessLog accessLog = AccessLogFile.open(options.logs());
        // THE response cache of this balancer (cache=): one for all its event loops and listeners, reached by the
        // admin endpoint through ProxyFrontends.cache()
        ResponseCache cache = http.cacheOn() ? new ResponseCache(http.cache(), http.cacheMaxObject()) : null;
        return new HttpFrontend(new HttpSettings(http.headerTimeout(), http.idleTimeout(), http.responseTimeout(),
                http.bodyTimeout(), http.sendTimeout(), options.proxy().queueTimeout(), http.h2cUpgrade() == Options.H2cUpgrade.PASS,
                Stickiness.of(http.sticky()), tls, http.trustedProxies(), backendsLearnTheClient, cache,
                http.cacheStatusHeader(), accessLog), h2 ? h2Limits(options) : null, h2 && !http.tls(),
                http.sticky(), tlsLoader);
    }

    private static H2Limits h2Limits(Options options) {
        HttpOptions http = options.http();
        return new H2Limits(http.maxConcurrentStreams(), HttpSettings.MAX_REQUEST_HEADERS, http.idleTimeout(),
                options.supervisor().shutdownTimeout());
    }

    /**
     * A SIGHUP: connections accepted from now on get the new header-, idle-, response-, body-, send- and queue-timeout,
     * h2c-upgrade, sticky, trusted-proxies and cache-status-header; open connections (keep-alive ones included; an HTTP/2 connection with its idle-timeout) keep
     * the settings they were accepted with until they close (their TLS session included). The tls-cert and tls-key
     * files are read again (a renewed certificate, as nginx does on reload); if they cannot be used now, the running
     * certificate is kept and a line says why. The cache and the access log stay.
     */
    @Override
    public synchronized void reconfigure(Options options) {
        HttpOptions http = options.http();
        HttpSettings now = settings;
        Stickiness stickiness = http.sticky().equals(sticky) ? now.stickiness() : Stickiness.of(http.sticky());
        SslContext tls = now.tls();
        if (tlsLoader != null) {
            try {
                tls = tlsLoader.load();
            } catch (TlsContext.TlsException e) {
                Log.info("SIGHUP: " + e.getMessage() + "; the running certificate is kept");
            }
        }
        settings = new HttpSettings(http.headerTimeout(), http.idleTimeout(), http.responseTimeout(),
                http.bodyTimeout(), http.sendTimeout(), options.proxy().queueTimeout(), http.h2cUpgrade() == Options.H2cUpgrade.PASS,
                stickiness, tls, http.trustedProxies(), now.poolPerClient(), now.cache(),
                http.cacheStatusHeader(), now.accessLog());
        if (h2 != null) {
            h2 = h2Limits(options);
        }
        sticky = http.sticky();
    }

    /** The settings connections accepted now get. */
    HttpSettings settings() {
        return settings;
    }

    /** The response cache ({@code cache=}), or null when it is off. */
    public ResponseCache cache() {
        return settings.cache();
    }

    /** The access log ({@code access-log=}), or null when it is off. */
    public AccessLog accessLog() {
        return settings.accessLog();
    }

    @Override
    public String name() {
        return settings.secure() ? "https" : "http";
    }

    @Override
    public void serve(Channel client, Upstream upstream) {
        HttpSettings settings = this.settings;
        H2Limits h2 = this.h2;
        ChannelPipeline pipeline = client.pipeline();
        addTls(client, settings);
        if (h2 != null && settings.tls() != null) {
            pipeline.addLast(new AlpnSwitch(new Versions(settings, h2, upstream)));
        } else if (h2c) {
            pipeline.addLast(new PriorKnowledge(new Versions(settings, h2, upstream), settings.idleTimeout()));
        } else {
            pipeline.addLast(HttpProxyHandler.PROXY, new HttpProxyHandler(settings, upstream));
        }
    }

    /** HTTP/1.x or HTTP/2 on a client connection, once it is known which, with the settings it was accepted with. */
    private static final class Versions implements Protocols {
        private final HttpSettings settings;
        private final H2Limits h2;
        private final Upstream upstream;

        Versions(HttpSettings settings, H2Limits h2, Upstream upstream) {
            this.settings = settings;
            this.h2 = h2;
            this.upstream = upstream;
        }

        @Override
        public void http1(ChannelPipeline pipeline) {
            pipeline.addLast(HttpProxyHandler.PROXY, new HttpProxyHandler(settings, upstream));
        }

        @Override
        public void h2(ChannelPipeline pipeline) {
            // the streams of one connection share its pool: a connection's backend connections never carry another
            // client's requests where the workers learn the client from them (see BackendConnectionPool)
            StreamSharedPool shared = StreamSharedPool.forConnection(settings.poolPerClient(),
                    h2.maxConcurrentStreams());
            shared.connectionOpened();
            pipeline.channel().closeFuture().addListener(closed -> shared.connectionClosed());
            // one client: its forwarding headers are encoded once for all its streams (all on this event loop;
            // each request's drop-then-write runs without a break)
            ForwardedHeaders forwarded = HttpProxyHandler.forwardedHeaders(pipeline.channel(), settings, upstream);
            H2ProxyConnection.install(pipeline, h2, HttpSettings.MAX_RESPONSE_HEADERS,
                    stream -> new StreamClient(stream, settings, upstream, shared, forwarded));
        }
    }

    /**
     * A client max-connections turned away gets a 503 with Retry-After in the protocol it speaks: HTTP/2 when it
     * chose h2 by ALPN or sent the h2c preface ({@link H2Refusal}), else HTTP/1.1 ({@link RejectHandler}). Either
     * way it is closed after header-timeout at the latest.
     */
    @Override
    public void reject(Channel client, Upstream upstream, String why) {
        HttpSettings settings = this.settings;
        H2Limits h2 = this.h2;
        addTls(client, settings);
        Refusal refusal = new Refusal(settings, h2, why);
        if (h2 != null && settings.tls() != null) {
            client.pipeline().addLast(new AlpnSwitch(refusal));
        } else if (h2c) {
            client.pipeline().addLast(new PriorKnowledge(refusal, settings.headerTimeout()));
        } else {
            refusal.http1(client.pipeline());
        }
    }

    /** A turned-away client's answer, once its protocol is known. */
    private static final class Refusal implements Protocols {
        private final HttpSettings settings;
        private final H2Limits h2;
        private final String why;

        Refusal(HttpSettings settings, H2Limits h2, String why) {
            this.settings = settings;
            this.h2 = h2;
            this.why = why;
        }

        @Override
        public void http1(ChannelPipeline pipeline) {
            pipeline.addLast(new HttpRequestDecoder(REQUESTS), new RejectHandler(why, settings));
            pipeline.channel().config().setAutoRead(true);
        }

        @Override
        public void h2(ChannelPipeline pipeline) {
            Channel client = pipeline.channel();
            long turnedAwayAt = System.nanoTime();
            // a client that never sends a request is not waited for longer than any other
            LingeringClose.closeIn(client, settings.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
            H2Refusal.install(pipeline, h2, RejectHandler.reason(why), settings.queueTimeout().toSeconds(),
                    request -> {
                        if (settings.accessLog() != null) { // as RejectHandler logs an HTTP/1.1 client's
                            new AccessRecord(settings.accessLog(), client.remoteAddress(), true).turnedAway(request,
                                    503, turnedAwayAt, System.nanoTime());
                        }
                    });
        }
    }

    private static void addTls(Channel client, HttpSettings settings) {
        if (settings.tls() != null) {
            client.pipeline().addLast("tls", settings.tls().newHandler(client.alloc()));
        }
    }
}
