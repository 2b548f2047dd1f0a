package io.jcluster.agent.stopport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One connection to Tomcat's shutdown port, read as StandardServer#await reads it: one byte is one character
 * (ISO-8859-1), a control character (below 32, or 127) or the end of the stream ends the command, and at most 1024
 * characters are read (as many as the configured command has, when that is longer). The command matches when it
 * equals the configured one exactly; a wrong one is only reported, never answered. Then the connection closes.
 *
 * <p>Stricter than Tomcat where a stranger could hold the port: Tomcat waits up to 10 s for each byte and serves one
 * connection at a time; here the whole command must arrive within the deadline of the connect ({@link StopPorts}
 * caps the connections instead), and nothing read past the command is kept.
 */
final class TomcatShutdownReader extends ChannelInboundHandlerAdapter {

    /** StandardServer#await's cut-off ("to avoid DoS attack"), for commands up to that long. */
    static final int MIN_READ = 1024;

    private final byte[] command;
    private final int limit;
    private final long deadlineMillis;
    private final Consumer<Boolean> verdict;
    private final StringBuilder received = new StringBuilder();
    private ScheduledFuture<?> deadline;
    private boolean done;

    /** @param verdict told once, on the event loop, whether the connection sent the command */
    TomcatShutdownReader(String command, long deadlineMillis, Consumer<Boolean> verdict) {
        this.command = command.getBytes(StandardCharsets.UTF_8);
        this.limit = Math.max(MIN_READ, command.length());
        this.deadlineMillis = deadlineMillis;
        this.verdict = verdict;
    }

    /** Added as the connection is accepted: the deadline counts from then. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // what arrived by then is the command, as when Tomcat's read times out
        deadline = ctx.executor().schedule(() -> finish(ctx), deadlineMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        try {
            if (done || !(message instanceof ByteBuf bytes)) {
                return;
            }
            while (bytes.isReadable()) {
                int character = bytes.readUnsignedByte();
                if (character < 32 || character == 127) {
                    finish(ctx);
                    return;
                }
                received.append((char) character);
                if (received.length() >= limit) {
                    finish(ctx);
                    return;
                }
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(ctx); // the end of the stream ends the command (Catalina#stopServer closes after writing it)
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(ctx); // a read error ends the command, as in Tomcat
    }

    private void finish(ChannelHandlerContext ctx) {
        if (done) {
            return;
        }
        done = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        // String.equals of what Tomcat read, in constant time: UTF-8 is one-to-one
        boolean match = MessageDigest.isEqual(received.toString().getBytes(StandardCharsets.UTF_8), command);
        received.setLength(0);
        ctx.close();
        verdict.accept(match);
    }
}
