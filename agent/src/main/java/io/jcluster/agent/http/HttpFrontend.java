package io.jcluster.agent.http;

import io.jcluster.agent.balancer.Frontend;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.config.Options;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.ssl.SslContext;

/**
 * mode=http: each client connection gets an HTTP/1.1 decoder and a {@link HttpProxyHandler} that sends each of
 * its requests to a worker of its own (pooled keep-alive connections to the workers). With tls-cert, TLS ends here.
 */
public final class HttpFrontend implements Frontend {

    private static final HttpDecoderConfig REQUESTS = new HttpDecoderConfig()
            .setMaxInitialLineLength(HttpSettings.MAX_REQUEST_LINE)
            .setMaxHeaderSize(HttpSettings.MAX_REQUEST_HEADERS)
            .setMaxChunkSize(HttpSettings.MAX_CHUNK);

    private final HttpSettings settings;

    private HttpFrontend(HttpSettings settings) {
        this.settings = settings;
    }

    /** @throws TlsContext.TlsException when tls-cert/tls-key cannot be used; its message is the line to show */
    public static HttpFrontend of(Options options) throws TlsContext.TlsException {
        SslContext tls = options.tls() ? TlsContext.load(options.tlsCert(), options.tlsKey()) : null;
        return new HttpFrontend(new HttpSettings(options.headerTimeout(), options.idleTimeout(),
                options.responseTimeout(), options.queueTimeout(), Stickiness.of(options.sticky()), tls));
    }

    @Override
    public String name() {
        return settings.secure() ? "https" : "http";
    }

    @Override
    public void serve(Channel client, Upstream upstream) {
        HttpProxyHandler proxy = new HttpProxyHandler(settings, upstream);
        ChannelPipeline pipeline = client.pipeline();
        addTls(client);
        pipeline.addLast(HttpProxyHandler.WATCH, new RequestBytesWatch(proxy));
        pipeline.addLast(HttpProxyHandler.CODEC, new HttpServerCodec(REQUESTS));
        // one decoded message per read(): the proxy asks for the next request only when the last is answered
        pipeline.addLast(HttpProxyHandler.FLOW, new FlowControlHandler());
        pipeline.addLast(HttpProxyHandler.PROXY, proxy);
    }

    @Override
    public void reject(Channel client, Upstream upstream, String why) {
        addTls(client);
        client.pipeline().addLast(new HttpServerCodec(REQUESTS), new RejectHandler(why, settings));
        client.config().setAutoRead(true);
    }

    private void addTls(Channel client) {
        if (settings.tls() != null) {
            client.pipeline().addLast("tls", settings.tls().newHandler(client.alloc()));
        }
    }
}
