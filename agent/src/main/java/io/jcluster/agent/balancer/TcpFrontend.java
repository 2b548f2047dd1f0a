package io.jcluster.agent.balancer;

import io.netty.channel.Channel;

final class TcpFrontend implements Frontend {

    static final TcpFrontend INSTANCE = new TcpFrontend(0);

    /** tcp-idle-timeout in nanoseconds, 0 when off. */
    private final long idleTimeoutNanos;

    TcpFrontend(long idleTimeoutNanos) {
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public void serve(Channel client, Upstream upstream) {
        client.pipeline().addLast(new FrontendHandler((Listener) upstream, idleTimeoutNanos)); // the only Upstream there is
    }

    @Override
    public void reject(Channel client, Upstream upstream, String why) {
        client.close();
    }
}
