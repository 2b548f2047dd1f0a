package io.jcluster.agent.http.proxy;

import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The one deadline of a client connection: idle-timeout between requests, header-timeout for a head, body-timeout
 * for a body that stops coming, response-timeout for the worker, send-timeout for a client that stops taking the
 * response. One timer checks it, moved only when the deadline
 * comes before it: most requests move the deadline with a field write, not a timer task.
 */
final class Deadlines {

    private final Exchange x;
    private final Runnable task = this::fired;
    private long deadline = Long.MAX_VALUE;
    private long timerAt = Long.MAX_VALUE;
    private ScheduledFuture<?> timer;

    Deadlines(Exchange exchange) {
        this.x = exchange;
    }

    /** Between requests: an idle keep-alive connection is closed after idle-timeout. */
    void idle(long now) {
        at(now + x.settings.idleTimeout().toNanos(), now);
    }

    /** Part of a head is in: the whole head must come within header-timeout of its first byte. */
    void header(long firstByteAt, long now) {
        at(firstByteAt + x.settings.headerTimeout().toNanos(), now);
    }

    /**
     * While the body is coming: waiting for the client, body-timeout from its last bytes (nginx's
     * client_body_timeout); waiting for the worker to take what it was sent, response-timeout.
     *
     * @param now System.nanoTime(), or 0 if the caller has none at hand
     */
    void body(long now) {
        if (x.requestSent) {
            return;
        }
        long at = now != 0 ? now : System.nanoTime();
        at(at + (x.awaitingBackendWritable ? x.settings.responseTimeout() : x.settings.bodyTimeout()).toNanos(), at);
    }

    /** The request is all out: the worker's answer must begin within response-timeout. */
    void response(long now) {
        long at = now != 0 ? now : System.nanoTime();
        at(at + x.settings.responseTimeout().toNanos(), at);
    }

    /**
     * The response is being relayed and the client takes no more of it (a full TCP window, an HTTP/2 stream without
     * flow-control window): the relay pauses, and the client must take bytes again within send-timeout (nginx's
     * send_timeout), else the response is cut. Without it a client that never reads holds the exchange, its worker
     * connection and the worker thread behind it for ever (a slow-read attack). Each pause sets it anew, each
     * regained writability clears it ({@link #sending}): a field write, no timer per pause.
     *
     * @param now System.nanoTime(), or 0 if the caller has none at hand
     */
    void send(long now) {
        if (!x.requestSent || !x.responseStarted || x.switching) {
            return; // while the body is coming, body-timeout times the exchange (it also cuts a started response)
        }
        long at = now != 0 ? now : System.nanoTime();
        at(at + x.settings.sendTimeout().toNanos(), at);
    }

    /** The client takes the response again: nothing to time while it does. */
    void sending() {
        if (x.requestSent && x.responseStarted && !x.switching) {
            deadline = Long.MAX_VALUE;
        }
    }

    /** Nothing to time (the request is being connected, or the response is coming). */
    void clear() {
        deadline = Long.MAX_VALUE;
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timerAt = Long.MAX_VALUE;
    }

    /** @param now System.nanoTime(), or 0 if the caller has none at hand */
    private void at(long at, long now) {
        deadline = at;
        if (at < timerAt) {
            cancel();
            timerAt = at;
            long delay = at - (now != 0 ? now : System.nanoTime());
            timer = x.client.executor().schedule(task, Math.max(0, delay), TimeUnit.NANOSECONDS);
        }
    }

    private void fired() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        if (x.state == Exchange.State.CLOSED || deadline == Long.MAX_VALUE) {
            return;
        }
        long now = System.nanoTime();
        if (now < deadline) {
            at(deadline, now); // the deadline moved on since the timer was set
            return;
        }
        HttpSettings settings = x.settings;
        if (x.state == Exchange.State.AWAIT_HEAD) {
            if (!x.receiver.headBegun()) {
                x.client.close(); // an idle keep-alive connection: closed without a word, as every server does
            } else {
                x.fail(408, "the request headers did not arrive within header-timeout="
                        + settings.headerTimeout().toMillis() + "ms");
            }
        } else if (x.state == Exchange.State.FORWARDING && !x.requestSent && !x.switching) {
            if (x.awaitingBackendWritable) {
                x.fail(504, "worker " + x.backend.owner() + " did not take the request body within response-timeout="
                        + settings.responseTimeout().toMillis() + "ms");
            } else {
                // a stalled upload, or an Expect: 100-continue never followed by its body: the client and a
                // worker connection are not held for ever; the worker's connection is closed, not pooled (fail)
                x.fail(408, "no request body bytes arrived within body-timeout="
                        + settings.bodyTimeout().toMillis() + "ms");
            }
        } else if (x.state == Exchange.State.CONNECTING && x.cache != null && x.cache.waiting()) {
            x.cache.waitedTooLong(); // another request's fill took response-timeout: this one asks a worker itself
        } else if (x.state == Exchange.State.FORWARDING && !x.responseStarted && !x.switching) {
            x.fail(504, "worker " + x.backend.owner() + " did not answer within response-timeout="
                    + settings.responseTimeout().toMillis() + "ms");
        } else if (x.state == Exchange.State.FORWARDING && !x.switching && !x.client.isWritable()) {
            // send-timeout: a started response cannot become an error response; it is cut (HTTP/1.1: the connection
            // closes; HTTP/2: that stream is reset) and the worker's connection closed, not pooled, mid-response
            x.fail(408, "the client took none of the response within send-timeout="
                    + settings.sendTimeout().toMillis() + "ms");
        }
    }
}
