package io.jcluster.agent.http.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;

import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after a final answer the way nginx's lingering_close does: send FIN, then read and
 * drop what the client still sends for a moment. Closing a socket that has unread input makes the kernel send a
 * reset, and a client that gets the reset first never sees the answer (a 408, a 413, an early response).
 */
final class LingeringClose {

    /** How long to keep draining a client that neither stops sending nor closes. */
    private static final long LINGER_MILLIS = 2_000;

    private LingeringClose() {
    }

    /** Once {@code written} (the last response) is out. Input must be discarded by the pipeline from then on. */
    static void after(ChannelFuture written) {
        written.addListener((ChannelFutureListener) done -> {
            Channel channel = done.channel();
            if (!done.isSuccess() || !(channel instanceof DuplexChannel) || !channel.isActive()) {
                channel.close();
                return;
            }
            ((DuplexChannel) channel).shutdownOutput().addListener((ChannelFutureListener) shut -> {
                if (!shut.isSuccess()) {
                    channel.close();
                    return;
                }
                channel.config().setAutoRead(true);
                closeIn(channel, LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
        });
    }

    /**
     * Closes {@code channel} after {@code delay} unless it closed before. The timer is cancelled when the channel
     * closes: a pending timer holds its channel (and all that hangs on it: the exchange, its buffers' owners), so
     * connections that churn through a lingering close or a turned-away answer would otherwise stay in memory for
     * the whole delay each, thousands of them per second.
     */
    static void closeIn(Channel channel, long delay, TimeUnit unit) {
        ScheduledFuture<?> close = channel.eventLoop().schedule(() -> {
            channel.close();
        }, delay, unit);
        channel.closeFuture().addListener(closed -> close.cancel(false));
    }
}
