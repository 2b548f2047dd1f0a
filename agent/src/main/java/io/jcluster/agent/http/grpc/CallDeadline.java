package io.jcluster.agent.http.grpc;

import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * A call's two deadlines on one timer: the client's {@code grpc-timeout} (the whole call) and send-timeout (while the
 * relay toward the client is paused because the client's stream cannot take more: its flow-control window, or the
 * connection's, is used up, or the client reads nothing at all). Without the second a client that never grants
 * window to a call without grpc-timeout holds its worker stream, the worker thread behind it and what the worker
 * buffers for ever (a slow-read attack, many calls per connection).
 *
 * <p>A pause sets the send deadline with a field write, a regained writability clears it; the timer (this, as its
 * task) is scheduled only when a deadline comes before it, and when it fires early (the deadline moved on, or was
 * cleared) it is set again for the next one: a call that pauses and resumes often schedules at most one timer per
 * send-timeout, and nothing is allocated per pause. Used on the call's event loop only.
 */
final class CallDeadline implements Runnable {

    private static final long NONE = Long.MAX_VALUE;

    private final GrpcCall call;
    /** send-timeout in nanoseconds (of the client connection's settings). */
    private final long sendTimeout;
    /** When the client's grpc-timeout passes (System.nanoTime); NONE without one. */
    private long callAt = NONE;
    /** When the paused relay is cut; NONE while the client takes the response. */
    private long sendAt = NONE;
    /** When the scheduled timer fires; NONE when none is. */
    private long timerAt = NONE;
    private ScheduledFuture<?> timer;

    CallDeadline(GrpcCall call, long sendTimeout) {
        this.call = call;
        this.sendTimeout = sendTimeout;
    }

    /** The client's grpc-timeout: the call must end by {@code at} (System.nanoTime; {@code now} is the time now). */
    void call(long at, long now) {
        callAt = at;
        arm(at, now);
    }

    /** Whether the parent times the client's grpc-timeout. */
    boolean timed() {
        return callAt != NONE;
    }

    /** When the client's grpc-timeout passes (System.nanoTime); only when {@link #timed}. */
    long callAt() {
        return callAt;
    }

    /** The client's stream cannot take more of the response: it must take some again within send-timeout. */
    void paused() {
        if (sendAt == NONE) {
            long now = System.nanoTime();
            sendAt = now + sendTimeout;
            arm(sendAt, now);
        }
    }

    /** The client takes the response again: nothing to time while it does. */
    void resumed() {
        sendAt = NONE;
    }

    /** The call ended: no deadline any more. */
    void cancel() {
        callAt = NONE;
        sendAt = NONE;
        timerAt = NONE;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void arm(long at, long now) {
        if (at < timerAt) {
            if (timer != null) {
                timer.cancel(false);
            }
            timerAt = at;
            timer = call.executor().schedule(this, Math.max(0, at - now), TimeUnit.NANOSECONDS);
        }
    }

    /** The timer: the deadline that passed ends the call; if none did, the timer is set for the next one. */
    @Override
    public void run() {
        timer = null;
        timerAt = NONE;
        long now = System.nanoTime();
        if (callAt <= now) {
            call.deadlineExceeded();
        } else if (sendAt <= now) {
            call.sendTimedOut();
        } else {
            long next = Math.min(callAt, sendAt);
            if (next != NONE) {
                arm(next, now);
            }
        }
    }
}
