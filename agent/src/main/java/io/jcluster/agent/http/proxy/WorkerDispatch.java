package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.BackendLease;
import io.jcluster.agent.balancer.Upstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;

/**
 * Chooses the worker for the request in progress and reaches it: an idle pooled connection to it, else a new one
 * made on the client's own loop. A failed connect tries another worker ({@link RetryPolicy}).
 */
final class WorkerDispatch {

    private final Exchange x;
    private final WorkerSelection selection;
    final RetryPolicy retries = new RetryPolicy();
    private final BackendLease lease = BackendLease.reusable(); // claimed per request: none allocated per request

    WorkerDispatch(Exchange exchange, WorkerSelection selection) {
        this.x = exchange;
        this.selection = selection;
    }

    /** In state CONNECTING: picks a worker and sends the request once its connection is there. */
    void dispatch() {
        Upstream upstream = x.upstream;
        Backend[] candidates = retries.candidates(upstream);
        if (candidates.length == 0) {
            upstream.noBackendAvailable();
            if (!retries.anyRefused()) {
                x.fail(503, "no worker is serving " + upstream.describe() + " right now; try again shortly");
            } else {
                x.fail(502, "no worker could be reached (" + retries.refusedCount() + " tried)");
            }
            return;
        }
        Backend chosen = selection.select(candidates, x.stickyCookie);
        x.backend = chosen;
        x.lease = lease.claim(chosen); // least-connections counts requests in flight in http mode
        Channel pooled = x.upgrade ? null : x.pool.take(chosen);
        if (pooled != null) {
            // the handler installed last (Upstream.install): no search of the pipeline per request
            attach(pooled, pooled.pipeline().last() instanceof BackendResponseHandler last ? last
                    : pooled.pipeline().get(BackendResponseHandler.class));
            x.forwarder.sendHead();
            return;
        }
        upstream.connect(x.client.channel(), chosen)
                .addListener((ChannelFutureListener) connect -> connected(connect, chosen));
    }

    private void connected(ChannelFuture connect, Backend target) {
        Channel channel = connect.channel();
        if (x.state != Exchange.State.CONNECTING || x.backend != target) {
            channel.close(); // the client left (or the exchange failed) while connecting
            return;
        }
        if (!connect.isSuccess()) {
            x.releaseLease();
            x.upstream.connectFailed(target, connect.cause());
            retries.connectFailed(target); // nothing was sent: any request may go elsewhere
            dispatch();
            return;
        }
        BackendResponseHandler handler = new BackendResponseHandler(target, x.pool);
        Upstream.install(channel, handler);
        attach(channel, handler);
        channel.read(); // backend connections read on request, one batch at a time (BackendResponseHandler)
        x.forwarder.sendHead();
    }

    private void attach(Channel channel, BackendResponseHandler handler) {
        x.backendChannel = channel;
        x.backendHandler = handler;
        handler.lendTo(x);
        x.state = Exchange.State.FORWARDING;
    }
}
