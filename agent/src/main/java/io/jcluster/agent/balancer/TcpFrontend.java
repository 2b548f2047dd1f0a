package io.jcluster.agent.balancer;

import io.netty.channel.Channel;

final class TcpFrontend implements Frontend {

    static final TcpFrontend PLAIN = new TcpFrontend(0, RequestStart.NONE);

    /** tcp-idle-timeout in nanoseconds, 0 when off. */
    private final long idleTimeoutNanos;
    private final RequestStart requests;

    TcpFrontend(long idleTimeoutNanos, RequestStart requests) {
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.requests = requests;
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public void serve(Channel client, Upstream upstream) {
        client.pipeline().addLast(new FrontendHandler(upstream, idleTimeoutNanos, requests));
    }

    @Override
    public void reject(Channel client, Upstream upstream, String why) {
        client.close();
    }
}
