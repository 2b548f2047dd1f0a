package io.jcluster.agent.http.h2;

import io.jcluster.agent.balancer.ClientConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** h2c with prior knowledge on a plain listener: the first bytes tell HTTP/2 from HTTP/1.x, and none are lost. */
class PriorKnowledgeTest {

    private String chosen;
    private final StringBuilder passedOn = new StringBuilder();

    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            passedOn.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
            ((ByteBuf) msg).release();
        }
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new PriorKnowledge(new Protocols() {
            @Override
            public void http1(ChannelPipeline pipeline) {
                chosen = "http/1.1";
                pipeline.addLast(new Recorder());
            }

            @Override
            public void h2(ChannelPipeline pipeline) {
                chosen = "h2";
                pipeline.addLast(new Recorder());
            }
        }, Duration.ofSeconds(10)));
        return channel;
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aGracefulStopClosesAConnectionStillSendingItsFirstBytesAtOnce() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(ascii("PRI * HTTP/2.0\r\n"));
        ClientConnection undecided = channel.attr(ClientConnection.KEY).get();
        assertTrue(undecided != null, "graceful stop must find the connection (it carries no request: close it)");
        undecided.closeIfIdle();
        assertFalse(channel.isOpen(), "closed when the stop begins, not at the drain deadline");
    }

    @Test
    void onceTheProtocolIsKnownGracefulStopIsLeftToItsHandler() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertNull(channel.attr(ClientConnection.KEY).get(), "the protocol's handler sets its own (none here)");
        assertTrue(channel.isOpen());
    }

    @Test
    void thePrefaceInPiecesIsHttp2AndReachesTheCodecWhole() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(ascii("PRI * HTTP/2.0\r\n"));
        assertNull(chosen, "not yet known");
        channel.writeInbound(ascii("\r\nSM\r\n\r\n\0\0"));
        assertEquals("h2", chosen);
        assertEquals("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0", passedOn.toString());
    }

    @Test
    void anHttp11RequestStaysHttp11WithAllItsBytes() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals("http/1.1", chosen);
        assertEquals("GET / HTTP/1.1\r\nHost: x\r\n\r\n", passedOn.toString());
    }

    @Test
    void aMethodThatStartsLikeThePrefaceIsToldApartAtItsFirstDifferentByte() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(ascii("PR"));
        assertNull(chosen);
        channel.writeInbound(ascii("OPFIND / HTTP/1.1\r\n"));
        assertEquals("http/1.1", chosen);
        assertEquals("PROPFIND / HTTP/1.1\r\n", passedOn.toString());
    }

    @Test
    void aConnectionThatSendsTooLittleToTellIsClosed() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(ascii("PRI"));
        channel.advanceTimeBy(11, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
        assertNull(chosen);
    }

    @Test
    void theTimerEndsOnceTheProtocolIsKnown() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(ascii("GET / HTTP/1.1\r\n"));
        channel.advanceTimeBy(11, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
    }
}
