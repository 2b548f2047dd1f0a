package io.jcluster.agent.http.grpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;

/** The handler of a call's stream on a worker connection (its child channel, reads off): tells the call. */
final class WorkerStream extends ChannelInboundHandlerAdapter {

    private final GrpcCall call;

    WorkerStream(GrpcCall call) {
        this.call = call;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false); // read while the client takes the response (GrpcCall)
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2StreamFrame) {
            call.fromWorker((Http2StreamFrame) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        call.workerReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            call.workerWritable();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
            Http2Error error = Http2Error.valueOf(((Http2ResetFrame) evt).errorCode());
            call.workerReset(error == null ? Http2Error.INTERNAL_ERROR : error); // an unknown code: RFC 9113 section 7
        } else if (evt instanceof Http2GoAwayFrame) {
            call.workerRefused(); // above the GOAWAY's last stream id: never processed; the codec closes it next
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a write that failed (the connection is going): the call learns it from the close
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        call.workerClosed();
    }
}
