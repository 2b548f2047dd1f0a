package io.jcluster.agent.balancer;

import io.netty.channel.Channel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.concurrent.TimeUnit;

/**
 * Resumes reading on a channel that was paused for back-pressure. On io_uring the read asked for can be lost to
 * a completion that is still in flight (Netty 4.2.18: the relay then stalls for good, BackPressureIT saw it), so
 * there the read is asked for once more a moment later; a read asked for twice is harmless.
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
