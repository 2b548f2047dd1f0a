package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request head's buffer, reused per exchange only when no write of the last head still holds it. */
class HeadBufferTest {

    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final HeadBuffer buffer = new HeadBuffer();

    @Test
    void aBufferNoWriteHoldsServesTheNextHeadEmpty() {
        ByteBuf first = buffer.next(alloc, 64);
        first.writeBytes(ascii("GET /1"));
        first.retain(); // written to a worker channel ...
        first.release(); // ... and out: the channel let go of it
        ByteBuf second = buffer.next(alloc, 64);
        assertSame(first, second);
        assertEquals(0, second.readableBytes());
        assertEquals(1, second.refCnt());
        buffer.release();
        assertEquals(0, second.refCnt());
    }

    @Test
    void aBufferAPendingWriteHoldsKeepsItsBytesAndTheNextHeadGetsAnother() {
        ByteBuf first = buffer.next(alloc, 64);
        first.writeBytes(ascii("GET /1"));
        first.retain(); // written to a worker channel, not out yet
        ByteBuf second = buffer.next(alloc, 64);
        assertNotSame(first, second);
        second.writeBytes(ascii("GET /2"));
        assertEquals("GET /1", first.toString(StandardCharsets.US_ASCII), "the pending write's bytes are intact");
        assertEquals(1, first.refCnt(), "the exchange let go of it: the write's reference is the last");
        first.release(); // the write completes
        buffer.release();
        assertEquals(0, second.refCnt());
    }

    @Test
    void aBufferGrownPastTheLimitIsNotKept() {
        ByteBuf large = buffer.next(alloc, HeadBuffer.KEEP_AT_MOST + 1);
        ByteBuf next = buffer.next(alloc, 64);
        assertNotSame(large, next);
        assertEquals(0, large.refCnt());
        ByteBuf grown = buffer.next(alloc, 200);
        assertSame(next, grown, "grown in place for a larger head under the limit");
        assertTrue(grown.writableBytes() >= 200);
        buffer.release();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
