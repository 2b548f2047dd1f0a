package io.jcluster.agent.balancer;

import io.netty.channel.Channel;

final class TcpFrontend implements Frontend {

    static final TcpFrontend INSTANCE = new TcpFrontend();

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public void serve(Channel client, Upstream upstream) {
        client.pipeline().addLast(new FrontendHandler((Listener) upstream)); // the only Upstream there is
    }

    @Override
    public void reject(Channel client, Upstream upstream, String why) {
        client.close();
    }
}
