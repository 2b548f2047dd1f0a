package io.jcluster.agent.http.h2;

import io.jcluster.agent.balancer.ClientConnection;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A TLS connection whose protocol ALPN has not chosen yet (the handshake in progress). */
class AlpnSwitchTest {

    @Test
    void aGracefulStopClosesAConnectionStillInItsHandshakeAtOnce() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new AlpnSwitch(new Protocols() {
            @Override
            public void http1(ChannelPipeline pipeline) {
            }

            @Override
            public void h2(ChannelPipeline pipeline) {
            }
        }));
        ClientConnection undecided = channel.attr(ClientConnection.KEY).get();
        assertNotNull(undecided, "graceful stop must find the connection (it carries no request: close it)");
        undecided.closeIfIdle();
        assertFalse(channel.isOpen(), "closed when the stop begins, not at the drain deadline");
    }
}
