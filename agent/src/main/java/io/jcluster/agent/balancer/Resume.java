package io.jcluster.agent.balancer;

import io.netty.channel.Channel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.concurrent.TimeUnit;

/**
 * Resumes reading on a channel that was paused for back-pressure, for a proxy that flushes only at
 * channelReadComplete. Netty 4.2.18's io_uring transport does not always deliver channelReadComplete after
 * channelRead (IoUringRelayResumeTest: 33 buffers read and none flushed, from a sender that closes when done):
 * bytes written without a flush keep the peer unwritable, so the pause never ends. Asking for the read once more
 * a moment later gets a later batch whose channelReadComplete flushes them, if more bytes come. {@link Relay}
 * flushes as soon as the peer is past its high-water mark instead and no longer needs this; http/proxy/Exchange
 * still does.
 */
public final class Resume {

    private static final long AGAIN_MILLIS = 5;

    private Resume() {
    }

    public static void reading(Channel channel) {
        channel.read();
        if (channel instanceof IoUringSocketChannel) {
            channel.eventLoop().schedule(() -> {
                if (channel.isActive()) {
                    channel.read();
                }
            }, AGAIN_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
