package apps.netty;

import apps.recorder.RequestJournal;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Recording mode (see {@link RequestJournal}): every method, every path; the body as HttpObjectAggregator
 * collected it. A request the codec could not decode is answered 400 and the connection closed, unrecorded (what
 * an app that checks {@code decoderResult()} does; the codec ignores the rest of the connection after it anyway).
 */
final class RecordingHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final RequestJournal journal;

    RecordingHandler(RequestJournal journal) {
        this.journal = journal;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            FullHttpResponse bad = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST);
            HttpUtil.setContentLength(bad, 0);
            ctx.writeAndFlush(bad).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        int port = ((InetSocketAddress) ctx.channel().remoteAddress()).getPort();
        String line = journal.record(request.method().name(), request.uri(), body, port,
                request.headers().get("X-Forwarded-For"));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(line + "\n", StandardCharsets.ISO_8859_1));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=iso-8859-1");
        HttpUtil.setContentLength(response, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
