package io.jcluster.agent.http.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;

/**
 * Answers a client that max-connections turned away (behind an HTTP request decoder; rare, so Netty's): 503 with
 * Retry-After once its request head is read (an answer written before the request would reach many clients as a
 * connection reset), then closes. With access-log= the 503 is logged, without a worker.
 */
final class RejectHandler extends ChannelInboundHandlerAdapter {

    private final String why;
    private final HttpSettings settings;
    private boolean answered;
    /** When the client was turned away; its access log line's duration counts from here. */
    private long turnedAwayAt;

    RejectHandler(String why, HttpSettings settings) {
        this.why = why;
        this.settings = settings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        turnedAwayAt = System.nanoTime();
        // a client that never sends a request is not waited for longer than any other
        LingeringClose.closeIn(ctx.channel(), settings.headerTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        if (msg instanceof HttpRequest request && !answered) {
            answered = true;
            if (settings.accessLog() != null) { // logged as nginx logs its own 503s: status, no upstream
                new AccessRecord(settings.accessLog(), ctx.channel().remoteAddress()).turnedAway(request, 503,
                        turnedAwayAt, System.nanoTime());
            }
            LingeringClose.after(ctx.writeAndFlush(ErrorResponses.retryLater(ctx.alloc(), reason(why),
                    settings.queueTimeout().toSeconds())));
        }
    }

    /** The line a turned-away client's 503 carries. */
    static String reason(String why) {
        return "the server is at its connection limit (" + why + "); try again shortly";
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            ctx.close();
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
