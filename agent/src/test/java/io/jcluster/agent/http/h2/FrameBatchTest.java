package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FrameBatch} below a writer, as {@link H2ProxyConnection} installs it: what reaches the wire is every write
 * in the order it was made, in as few buffers as the rules allow, and nothing gathered outlives the channel.
 */
class FrameBatchTest {

    private final FrameBatch batch = new FrameBatch();
    /** The writer above the batch, as the HTTP/2 handler is. */
    private final Writer writer = new Writer();
    private final EmbeddedChannel channel = new EmbeddedChannel(batch, writer);

    private static final class Writer extends ChannelOutboundHandlerAdapter {
        ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void write(String text, boolean promised) {
            ctx.write(bytes(text), promised ? ctx.newPromise() : ctx.voidPromise());
        }
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private void append(String text) {
        batch.room(text.length()).writeCharSequence(text, StandardCharsets.ISO_8859_1);
    }

    /** The buffers that reached the wire, as text, released. */
    private List<String> wire() {
        List<String> out = new ArrayList<>();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            out.add(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out;
    }

    @Test
    void framesAppendedAndSmallWritesWithoutAPromiseLeaveAsOneBufferAtTheFlush() {
        append("a");
        writer.write("b", false);
        append("c");
        assertEquals(List.of(), wire(), "nothing before the flush");
        channel.flush();
        assertEquals(List.of("abc"), wire());
    }

    /** Order: a write that carries a promise (Netty's control frames, queued DATA) goes after what was gathered. */
    @Test
    void aWriteWithAPromiseGoesAfterWhatWasGathered() {
        append("head1");
        writer.write("rst", true);
        append("head2");
        channel.flush();
        assertEquals(List.of("head1", "rst", "head2"), wire());
    }

    @Test
    void aLargeWriteKeepsItsBufferAndGoesAfterWhatWasGathered() {
        String large = "x".repeat(FrameBatch.COPY_MAX + 1);
        append("header");
        writer.write(large, false);
        channel.flush();
        assertEquals(List.of("header", large), wire());
    }

    /** Bounded: what is gathered is sent (into the channel's own accounting) before it passes one record's worth. */
    @Test
    void theBatchIsSentBeforeItPassesTheLimit() {
        String chunk = "y".repeat(1000);
        int chunks = 3 * FrameBatch.LIMIT / chunk.length();
        for (int i = 0; i < chunks; i++) {
            append(chunk);
        }
        assertTrue(channel.unsafe().outboundBuffer().totalPendingWriteBytes() >= 2L * FrameBatch.LIMIT - chunk.length(),
                "sent on without a flush: the channel counts it");
        channel.flush();
        List<String> out = wire();
        int total = 0;
        for (String b : out) {
            assertTrue(b.length() <= FrameBatch.LIMIT, b.length() + " bytes in one buffer");
            total += b.length();
        }
        assertEquals(chunks * chunk.length(), total);
        assertTrue(out.size() >= 3, out.size() + " buffers");
    }

    @Test
    void theSendPromiseCompletesWhenTheGatheredBytesAreWritten() {
        append("last frame");
        ChannelPromise promise = channel.newPromise();
        batch.send(promise);
        assertFalse(promise.isDone(), "not flushed yet");
        channel.flush();
        assertTrue(promise.isSuccess());
        assertEquals(List.of("last frame"), wire());
        ChannelPromise nothing = channel.newPromise();
        batch.send(nothing);
        assertTrue(nothing.isSuccess(), "nothing gathered: done at once");
    }

    @Test
    void whatIsGatheredWhenTheChannelClosesIsFreedAndNothingMoreIsTaken() {
        ByteBuf gathered = batch.room(4);
        gathered.writeInt(1);
        channel.close();
        channel.runPendingTasks();
        assertEquals(0, gathered.refCnt(), "released with the channel");
        assertFalse(batch.accepting());
    }
}
