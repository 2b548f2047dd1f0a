package io.jcluster.agent.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;

import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/2 stream as an HTTP/1.1 connection carrying one request, for the handler after it (the http mode's
 * per-request proxy, unchanged): the stream's request, which Netty's {@code Http2StreamFrameToHttpObjectCodec} made
 * HTTP objects of, goes on as HTTP/1.1 bytes; the HTTP/1.1 response bytes that handler writes are decoded back into
 * HTTP objects for the codec to send as HEADERS and DATA frames.
 *
 * <p>Netty has checked the request before it gets here (RFC 9113 section 8.2.2: connection-specific fields and a
 * {@code te} other than {@code trailers} reset the stream; section 8.1.1: DATA that does not add up to
 * {@code content-length} resets the stream before the offending frame is delivered), so the bytes made here are
 * one well-framed request: with {@code content-length} when the client gave one, else chunked. The proxy scans them
 * again with its own HTTP/1.1 rules, as it scans every client's bytes.
 */
final class Http1Bridge extends ChannelDuplexHandler {

    private final RequestBytes requestBytes = new RequestBytes();
    private final ResponseObjects responseObjects;
    private final List<Object> out = new ArrayList<>(4);
    /** The response's objects of a write, reused unless a write comes while one is in progress. */
    private final List<Object> responseOut = new ArrayList<>(4);
    private boolean writing;
    /** The worker's response bytes not decoded yet. */
    private ByteBuf pending;
    /** A 1xx was passed on as a whole message: the empty end the decoder gives after it is not the stream's end. */
    private boolean skipInterimEnd;

    Http1Bridge(int maxResponseHeaders, int maxChunk) {
        this.responseObjects = new ResponseObjects(new HttpDecoderConfig()
                .setMaxHeaderSize(maxResponseHeaders)
                .setMaxChunkSize(maxChunk));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            HttpRequest request = (HttpRequest) msg;
            // Netty's conversion adds these for HTTP/1 code that wants to know the stream: not for a worker, and a
            // client's own fields of these names are dropped with them
            for (HttpConversionUtil.ExtensionHeaderNames name : HttpConversionUtil.ExtensionHeaderNames.values()) {
                request.headers().remove(name.text());
            }
            responseObjects.headRequest = HttpMethod.HEAD.equals(request.method());
        }
        out.clear();
        requestBytes.toBytes(ctx, msg, out); // releases msg
        for (int i = 0; i < out.size(); i++) {
            ctx.fireChannelRead(out.get(i));
        }
        out.clear();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        ByteBuf data = (ByteBuf) msg;
        if (pending == null) {
            pending = data;
        } else {
            ByteBuf joined = ctx.alloc().buffer(pending.readableBytes() + data.readableBytes());
            joined.writeBytes(pending).writeBytes(data);
            pending.release();
            data.release();
            pending = joined;
        }
        List<Object> objects = writing ? new ArrayList<>(4) : responseOut;
        boolean outermost = !writing;
        writing = true;
        try {
            try {
                int before;
                do {
                    before = pending.readableBytes();
                    int produced = objects.size();
                    responseObjects.decodeSome(ctx, pending, objects);
                    if (objects.size() == produced && pending.readableBytes() == before) {
                        break; // needs more bytes
                    }
                } while (pending.isReadable());
            } finally {
                if (!pending.isReadable()) {
                    pending.release();
                    pending = null;
                }
            }
            boolean failed = false;
            for (int i = 0; i < objects.size(); i++) {
                if (objects.get(i) instanceof HttpObject object && object.decoderResult().isFailure()) {
                    // cannot happen with the proxy's own output; if it did, the stream is reset, not half-sent
                    for (int j = i; j < objects.size(); j++) {
                        ReferenceCountUtil.release(objects.get(j));
                    }
                    objects.subList(i, objects.size()).clear();
                    failed = true;
                    break;
                }
            }
            writeObjects(ctx, objects, promise);
            if (failed) {
                ctx.close();
            }
        } finally {
            objects.clear();
            if (outermost) {
                writing = false;
            }
        }
    }

    private void writeObjects(ChannelHandlerContext ctx, List<Object> objects, ChannelPromise promise) {
        if (objects.size() == 2 && objects.get(0) instanceof HttpResponse head && !(head instanceof LastHttpContent)
                && head.status().codeClass() != HttpStatusClass.INFORMATIONAL
                && objects.get(1) instanceof LastHttpContent end) {
            // a whole response in one write (the usual small one): one pass through the codec, no promise combiner
            ctx.write(new DefaultFullHttpResponse(head.protocolVersion(), head.status(), end.content(),
                    head.headers(), end.trailingHeaders()), promise);
            return;
        }
        if (objects.size() == 1) {
            Object frame = interimAsWhole(objects.get(0));
            if (frame != null) {
                ctx.write(frame, promise);
            } else {
                promise.setSuccess();
            }
            return;
        }
        PromiseCombiner writes = new PromiseCombiner(ctx.executor());
        for (int i = 0; i < objects.size(); i++) {
            Object frame = interimAsWhole(objects.get(i));
            if (frame != null) {
                writes.add(ctx.write(frame));
            }
        }
        writes.finish(promise);
    }

    /**
     * A 1xx response goes to the codec as a whole message (it sends it as a HEADERS frame that does not end the
     * stream); the decoder's empty end after it is dropped. Null: nothing to write.
     */
    private Object interimAsWhole(Object object) {
        if (object instanceof HttpResponse && !(object instanceof LastHttpContent)) {
            HttpResponse response = (HttpResponse) object;
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                skipInterimEnd = true;
                return new DefaultFullHttpResponse(response.protocolVersion(), response.status(), Unpooled.EMPTY_BUFFER,
                        response.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            }
        } else if (skipInterimEnd && object instanceof LastHttpContent) {
            skipInterimEnd = false;
            ReferenceCountUtil.release(object);
            return null;
        }
        return object;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /** Netty's HTTP/1.1 request encoder, called directly. */
    private static final class RequestBytes extends HttpRequestEncoder {
        void toBytes(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            encode(ctx, msg, out);
        }
    }

    /** Netty's HTTP/1.1 response decoder, called directly; knows a response to HEAD has no body. */
    private static final class ResponseObjects extends HttpResponseDecoder {
        boolean headRequest;

        ResponseObjects(HttpDecoderConfig config) {
            super(config);
        }

        void decodeSome(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decode(ctx, in, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (headRequest && msg instanceof HttpResponse
                    && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }
}
