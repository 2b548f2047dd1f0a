package io.jcluster.agent.http.h2;

import io.jcluster.agent.balancer.ClientConnection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * After the TLS handshake: h2 when the client chose it by ALPN, else HTTP/1.1 (also for a client that offered no
 * ALPN at all). A failed handshake closes the connection (the handshake itself is bounded by the TLS handler's
 * handshake timeout); so does a graceful stop that finds it still in the handshake.
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
        // still in the TLS handshake, no request yet: a graceful stop closes it at once (the protocol's handler
        // replaces this once the handshake is done)
        ctx.channel().attr(ClientConnection.KEY).set(ctx::close);
        ctx.read(); // reads are off until the protocol's handler takes over: the handshake needs them
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        ctx.channel().attr(ClientConnection.KEY).set(null);
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
