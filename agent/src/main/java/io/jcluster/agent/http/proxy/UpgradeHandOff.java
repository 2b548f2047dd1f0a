package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.BackendLease;
import io.jcluster.agent.balancer.Tunnel;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.http.wire.HeadWriter;
import io.jcluster.agent.http.wire.HopByHopHeaders;
import io.jcluster.agent.http.wire.MessageHead;
import io.jcluster.agent.http.wire.RequestLine;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * The worker accepted an upgrade the client asked for (a WebSocket; h2c with h2c-upgrade=pass): the 101 goes to the
 * client, and from then on both connections are relayed as bytes ({@link Tunnel}), outside http mode.
 */
final class UpgradeHandOff {

    /** What becomes of the two connections after the 101: {@link Tunnel#join} (tests relay elsewhere). */
    @FunctionalInterface
    interface Tunnels {
        void join(Upstream upstream, Channel client, Channel backend, BackendLease lease);
    }

    static final Tunnels BYTE_RELAY =
            (upstream, client, backend, lease) -> Tunnel.join(upstream, client, backend, lease, RequestLine::isStartOf);

    private static final byte[] CONNECTION_UPGRADE = HeadWriter.ascii("connection: upgrade\r\n");

    private UpgradeHandOff() {
    }

    /** @param head the 101 head, scanned from the exchange's responseIn */
    static void switchProtocols(Exchange x, MessageHead head) {
        ClientSide side = x.client;
        x.switching = true;
        if (x.access != null) {
            x.access.switched(System.nanoTime(), x.backend.owner());
        }
        x.deadlines.clear();
        HopByHopHeaders.drop(head, true);
        ByteBuf out = HeadWriter.begin(side.alloc(), head, 32, false);
        out.writeBytes(CONNECTION_UPGRADE);
        HeadWriter.end(out);
        side.write(out);
        ByteBuf responseIn = x.responseIn;
        x.responseIn = null;
        responseIn.skipBytes(head.length());
        head.reset();
        if (responseIn.isReadable()) {
            side.write(responseIn); // the new protocol's first bytes came with the 101
        } else {
            responseIn.release();
        }

        Channel client = side.channel();
        Channel toWorker = x.backendChannel;
        BackendLease tunnelLease = x.lease;
        x.lease = null; // the tunnel keeps the worker's count until it closes
        x.detachBackend();
        x.state = Exchange.State.CLOSED;
        side.flush();
        ByteBuf early = x.receiver.take();
        if (early != null && early.isReadable()) {
            toWorker.writeAndFlush(early, toWorker.voidPromise()); // the client's first bytes in the new protocol
        } else if (early != null) {
            early.release();
        }
        toWorker.pipeline().remove(BackendResponseHandler.class);
        side.handOff();
        x.tunnels.join(x.upstream, client, toWorker, tunnelLease);
    }
}
