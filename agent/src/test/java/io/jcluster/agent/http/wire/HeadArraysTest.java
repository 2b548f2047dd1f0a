package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A head holds its arrays only from its first byte to its reset, on an event loop: a keep-alive connection between
 * requests then keeps nothing, and the next head on the loop reuses them. Heads held at once never share arrays.
 */
class HeadArraysTest {

    private static final String GET = "GET /a HTTP/1.1\r\nHost: one\r\nX-Long: %s\r\n\r\n";

    private final DefaultEventExecutor loop = new DefaultEventExecutor();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void onAnEventLoopAResetHeadHoldsNoArraysAndTheNextHeadReusesThem() throws Exception {
        onLoop(() -> {
            MessageHead first = head();
            assertEquals(MessageHead.COMPLETE, scan(first, String.format(GET, "x")));
            byte[] held = first.bytes();
            assertNotNull(held);
            first.reset();
            assertNull(first.bytes(), "a reset head on an event loop keeps no arrays");
            MessageHead second = head();
            assertEquals(MessageHead.COMPLETE, scan(second, String.format(GET, "y")));
            assertSame(held, second.bytes(), "the next head on the loop takes the arrays given back");
            assertEquals("/a", second.target());
            return null;
        });
    }

    @Test
    void headsHeldAtOnceNeverShareArrays() throws Exception {
        onLoop(() -> {
            MessageHead open = head();
            String whole = String.format(GET, "open");
            ByteBuf part = bytes(whole.substring(0, 20));
            assertEquals(MessageHead.NEED_MORE, open.scan(part));
            for (int i = 0; i < 3; i++) { // others come and go on the same loop while the first is mid-head
                MessageHead other = head();
                assertEquals(MessageHead.COMPLETE, scan(other, String.format(GET, "other" + i)));
                assertNotSame(open.bytes(), other.bytes());
                other.reset();
            }
            part.writeBytes(whole.substring(20).getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(MessageHead.COMPLETE, open.scan(part));
            assertEquals("open", open.value(open.first(MessageHead.OTHER)));
            assertEquals(whole, new String(open.bytes(), 0, open.length(), StandardCharsets.ISO_8859_1));
            part.release();
            return null;
        });
    }

    @Test
    void arraysGrownForALargeHeadAreLeftToTheCollector() throws Exception {
        onLoop(() -> {
            MessageHead large = head();
            assertEquals(MessageHead.COMPLETE, scan(large, String.format(GET, "v".repeat(20_000))));
            byte[] grown = large.bytes();
            large.reset();
            MessageHead next = head();
            assertEquals(MessageHead.COMPLETE, scan(next, String.format(GET, "x")));
            assertNotSame(grown, next.bytes(), "a grown set is not pooled: an event loop's pool stays small");
            assertEquals(HeadArrays.BYTES, next.bytes().length);
            return null;
        });
    }

    @Test
    void offAnEventLoopAResetHeadHoldsNoArraysEitherAndReadsTheNextHeadWhole() {
        MessageHead head = head();
        assertEquals(MessageHead.COMPLETE, scan(head, String.format(GET, "x")));
        head.reset();
        assertNull(head.bytes());
        assertEquals(MessageHead.COMPLETE, scan(head, String.format(GET, "yy")));
        assertEquals("yy", head.value(head.first(MessageHead.OTHER)));
    }

    private static MessageHead head() {
        return new MessageHead(true, 8 * 1024, 64 * 1024);
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.buffer(256).writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int scan(MessageHead head, String text) {
        ByteBuf in = bytes(text);
        try {
            return head.scan(in);
        } finally {
            in.release();
        }
    }

    private void onLoop(Callable<Void> check) throws Exception {
        try {
            loop.submit(check).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
