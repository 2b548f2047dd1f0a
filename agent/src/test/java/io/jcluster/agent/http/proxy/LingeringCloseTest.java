package io.jcluster.agent.http.proxy;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pending close timer holds its channel and everything on it: under connection churn (a lingering close after each
 * {@code Connection: close} answer, a turned-away client's header-timeout) ~10,000 closed connections stayed in the
 * parent's heap for the timer's 2 s, 100-200 MiB (bench/RESULTS.md). The timer goes when the channel closes.
 */
class LingeringCloseTest {

    @Test
    void theTimerIsCancelledWhenTheChannelClosesFirst() {
        EmbeddedChannel channel = new EmbeddedChannel();
        LingeringClose.closeIn(channel, 2, TimeUnit.SECONDS);
        assertTrue(channel.runScheduledPendingTasks() > 0, "the close is scheduled");
        channel.close();
        assertEquals(-1, channel.runScheduledPendingTasks(), "no timer is left holding the closed channel");
    }

    @Test
    void theChannelIsClosedWhenTheTimerFires() throws InterruptedException {
        EmbeddedChannel channel = new EmbeddedChannel();
        LingeringClose.closeIn(channel, 1, TimeUnit.MILLISECONDS);
        Thread.sleep(5);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen());
    }
}
