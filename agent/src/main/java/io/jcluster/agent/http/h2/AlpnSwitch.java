package io.jcluster.agent.http.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * After the TLS handshake: h2 when the client chose it by ALPN, else HTTP/1.1 (also for a client that offered no
 * ALPN at all). A failed handshake closes the connection (the handshake itself is bounded by the TLS handler's
 * handshake timeout).
 */
public final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {

    private final Protocols protocols;

    public AlpnSwitch(Protocols protocols) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.protocols = protocols;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        super.handlerAdded(ctx);
        ctx.read(); // reads are off until the protocol's handler takes over: the handshake needs them
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            protocols.h2(ctx.pipeline());
        } else {
            protocols.http1(ctx.pipeline());
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
