package io.jcluster.agent.http.h2;

import io.netty.channel.ChannelPipeline;

/** What a client connection becomes once its protocol is known (by ALPN, or by its first bytes). */
public interface Protocols {

    /** An HTTP/1.x connection: the http mode's proxy, added last to {@code pipeline}. */
    void http1(ChannelPipeline pipeline);

    /** An HTTP/2 connection: {@link H2Connection#install}. */
    void h2(ChannelPipeline pipeline);
}
