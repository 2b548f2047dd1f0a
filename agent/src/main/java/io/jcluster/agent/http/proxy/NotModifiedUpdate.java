package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.cache.ResponseFacts;
import io.jcluster.agent.http.cache.StoredResponse;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** A stored response updated by a 304 that revalidated it (RFC 9111 section 4.3.4), on the same body. */
final class NotModifiedUpdate {

    private NotModifiedUpdate() {
    }

    /**
     * The stored response with the 304's lines merged into its head, or null if the heads cannot be merged.
     *
     * @param scratch a scanner for stored heads, reused (reset before and after)
     */
    static StoredResponse of(StoredResponse stored, MessageHead notModified, MessageHead scratch, long requestTime,
                             long now) {
        byte[] old = stored.headBytes();
        ByteBuf scanned = Unpooled.buffer(old.length + 2).writeBytes(old).writeByte('\r').writeByte('\n');
        try {
            scratch.reset();
            if (scratch.scan(scanned) != MessageHead.COMPLETE) {
                return null;
            }
            byte[] updated = StoredHeads.updated(scratch, notModified);
            scratch.reset();
            ByteBuf again = Unpooled.buffer(updated.length + 2).writeBytes(updated).writeByte('\r').writeByte('\n');
            if (scratch.scan(again) != MessageHead.COMPLETE) {
                return null;
            }
            ResponseFacts updatedFacts = ResponseFacts.read(scratch);
            return new StoredResponse(stored.key(), updatedFacts, updated, stored.body(), requestTime, now,
                    stored.varyValues());
        } finally {
            scratch.reset();
        }
    }
}
