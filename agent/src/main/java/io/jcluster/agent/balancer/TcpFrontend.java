package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options;
import io.netty.channel.Channel;

final class TcpFrontend implements Frontend {

    static final TcpFrontend PLAIN = new TcpFrontend(0, RequestStart.NONE);

    /** tcp-idle-timeout in nanoseconds, 0 when off: read once per new connection, which keeps it (a SIGHUP). */
    private volatile long idleTimeoutNanos;
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
    public void reconfigure(Options options) {
        if (this != PLAIN) {
            idleTimeoutNanos = options.proxy().tcpIdleTimeout().toNanos();
        }
    }

    /** tcp-idle-timeout now, in nanoseconds (0: off). */
    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    @Override
    public void reject(Channel client, Upstream upstream, String why) {
        client.close();
    }
}
