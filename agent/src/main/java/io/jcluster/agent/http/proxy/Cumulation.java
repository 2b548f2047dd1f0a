package io.jcluster.agent.http.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Appends newly read bytes to the bytes still waiting (a head not yet whole, a pipelined request). Most reads
 * find nothing waiting and are kept as they are: no copy.
 */
final class Cumulation {

    private Cumulation() {
    }

    /** @return the waiting bytes followed by {@code data} (which is released or taken over) */
    static ByteBuf append(ByteBufAllocator alloc, ByteBuf waiting, ByteBuf data) {
        if (waiting == null) {
            return data;
        }
        if (!waiting.isReadable()) {
            waiting.release();
            return data;
        }
        int n = data.readableBytes();
        // slices of the waiting buffer may be on their way out: never move its bytes, only write after them
        if (waiting.refCnt() == 1 && waiting.writableBytes() >= n && !waiting.isReadOnly()) {
            waiting.writeBytes(data);
            data.release();
            return waiting;
        }
        ByteBuf merged = alloc.directBuffer(waiting.readableBytes() + n);
        merged.writeBytes(waiting).writeBytes(data);
        waiting.release();
        data.release();
        return merged;
    }
}
