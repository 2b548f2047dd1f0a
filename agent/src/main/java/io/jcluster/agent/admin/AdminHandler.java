package io.jcluster.agent.admin;

import io.jcluster.agent.log.Log;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One admin connection: one request, within {@link AdminServer#REQUEST_TIMEOUT_MILLIS} of the connect, checked by
 * {@link AdminAccess}, answered by the endpoints, then closed.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Log.RateLimited REFUSED = new Log.RateLimited(5, TimeUnit.SECONDS);
    /** Answered without the token (see {@link AdminAccess#check}). */
    private static final Set<String> PROBES = Set.of("/ready", "/live");

    private final AdminAccess access;
    private final AdminEndpoints endpoints;
    private ScheduledFuture<?> requestTimeout;
    /** Set at the first request: pipelined ones after it, decoded from the same read, are dropped. */
    private boolean answering;

    AdminHandler(AdminAccess access, AdminEndpoints endpoints) {
        this.access = access;
        this.endpoints = endpoints;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // one deadline for the whole request, not an idle timer: a client trickling a byte now and then
        // (slowloris) is closed as surely as a silent one
        Runnable close = ctx::close;
        requestTimeout = ctx.executor().schedule(close, AdminServer.REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        requestTimeout.cancel(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        // one request per connection (each answer closes it): whatever follows is not read
        if (answering) {
            return;
        }
        answering = true;
        requestTimeout.cancel(false);
        ctx.channel().config().setAutoRead(false);
        if (request.decoderResult().isFailure()) {
            send(ctx, malformed(request.decoderResult().cause()).response());
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        boolean probe = request.method().equals(HttpMethod.GET) && PROBES.contains(query.path());
        AdminAccess.Refusal refusal = access.check(request.protocolVersion(), request.headers(), !probe);
        if (refusal != null) {
            refuse(ctx, request.method(), refusal);
            return;
        }
        CompletableFuture<AdminAnswer> answer;
        try {
            answer = endpoints.answer(request.method(), query);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        HttpMethod method = request.method();
        answer.whenComplete((done, failure) -> {
            if (failure != null) {
                Log.error("admin endpoint: " + method + " " + query.path() + " failed", failure);
                send(ctx, AdminAnswer.text(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "failed: " + Log.describe(failure) + "\n").response());
            } else {
                send(ctx, done.response());
            }
        });
    }

    private static AdminAnswer malformed(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return AdminAnswer.text(HttpResponseStatus.REQUEST_URI_TOO_LONG,
                    "the request line is longer than " + AdminServer.MAX_REQUEST_LINE + " bytes\n");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return AdminAnswer.text(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "the request headers are longer than " + AdminServer.MAX_HEADERS + " bytes\n");
        }
        return AdminAnswer.text(HttpResponseStatus.BAD_REQUEST, "malformed request\n");
    }

    private static void refuse(ChannelHandlerContext ctx, HttpMethod method, AdminAccess.Refusal refusal) {
        boolean unauthorized = refusal.status().code() == HttpResponseStatus.UNAUTHORIZED.code();
        if (!unauthorized) {
            REFUSED.info("admin endpoint: " + method + " from " + ctx.channel().remoteAddress()
                    + " answered " + refusal.status().code() + ": " + refusal.message());
        }
        FullHttpResponse response = AdminAnswer.text(refusal.status(), refusal.message() + "\n").response();
        if (unauthorized) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"jcluster\"");
        }
        send(ctx, response);
    }

    static void send(ChannelHandlerContext ctx, FullHttpResponse response) {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
