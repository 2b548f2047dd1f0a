package io.jcluster.agent.stopport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One connection to Jetty's stop port ({@code STOP.PORT}), read as Jetty's ShutdownService (ShutdownMonitor before
 * 12.1) reads it: a line with the key, then a line with the command, each ended by LF, CR or CR LF
 * (LineNumberReader#readLine; the end of the stream ends a last unterminated line). {@code start.jar --stop} sends
 * {@code KEY\r\nstop\r\n}.
 * <ul>
 *   <li>A wrong key closes the connection unanswered, as Jetty does.</li>
 *   <li>With the right key, the command (any case, as Jetty's): {@code stop}, {@code forcestop}, {@code stopexit} and
 *       {@code exit} stop the cluster, each gracefully as SIGTERM does (Jetty's {@code exit} skips the stop; a cluster
 *       is never left half stopped). The connection stays open until the cluster has stopped, then hears
 *       {@code Stopped\r\n} ({@link #answerStopped}); {@code start.jar --stop} with {@code STOP.WAIT} reads until then.
 *       {@code status} is answered {@code OK\r\n}, {@code pid} with the parent's pid (no line end, as Jetty answers);
 *       anything else is ignored.</li>
 * </ul>
 *
 * <p>Stricter than Jetty where a stranger could hold the port: Jetty reads lines of any length, waits for ever and
 * serves one connection at a time; here the key line holds at most {@value #MAX_KEY_LINE} bytes and the command line
 * {@value #MAX_COMMAND_LINE}, both must arrive within the deadline of the connect ({@link StopPorts} caps the
 * connections), the key is compared in constant time, and nothing past the command is kept.
 */
final class JettyStopReader extends ChannelInboundHandlerAdapter {

    /** What one connection came to. */
    enum Verdict {
        /** The right key and a stop command: the cluster stops; the connection waits for {@link #answerStopped}. */
        STOP,
        /** The right key and {@code status}: answered OK. */
        STATUS,
        /** The right key and {@code pid}: answered with the parent's pid. */
        PID,
        /** A wrong key (or none: the stream ended first, or the line was too long): closed unanswered. */
        WRONG_KEY,
        /** The right key, then an unknown command, none, or one too long: closed unanswered. */
        UNKNOWN_COMMAND,
        /** No complete key and command within the deadline: closed. */
        TIMED_OUT
    }

    /** A key line longer than this is wrong (the worker reports keys of at most 512 UTF-8 bytes). */
    static final int MAX_KEY_LINE = 1024;
    /** Jetty's longest command is {@code forcestop}. */
    static final int MAX_COMMAND_LINE = 64;

    private final byte[] key;
    private final long deadlineMillis;
    private final Consumer<Verdict> verdict;
    private final byte[] line = new byte[MAX_KEY_LINE];
    private int length;
    private boolean readingKey = true;
    /** The previous line ended with CR: an LF right after it belongs to that line end (readLine's rule). */
    private boolean skipLineFeed;
    private ScheduledFuture<?> deadline;
    private boolean done;

    /** @param verdict told once, on the event loop, what the connection came to */
    JettyStopReader(String key, long deadlineMillis, Consumer<Verdict> verdict) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.deadlineMillis = deadlineMillis;
        this.verdict = verdict;
    }

    /** Added as the connection is accepted: the deadline counts from then. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> finish(ctx, Verdict.TIMED_OUT), deadlineMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        try {
            if (done || !(message instanceof ByteBuf bytes)) {
                return;
            }
            while (bytes.isReadable() && !done) {
                read(ctx, bytes.readByte());
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void read(ChannelHandlerContext ctx, byte b) {
        if (skipLineFeed) {
            skipLineFeed = false;
            if (b == '\n') {
                return;
            }
        }
        if (b == '\n' || b == '\r') {
            skipLineFeed = b == '\r';
            lineEnded(ctx);
            return;
        }
        if (length == (readingKey ? MAX_KEY_LINE : MAX_COMMAND_LINE)) {
            finish(ctx, readingKey ? Verdict.WRONG_KEY : Verdict.UNKNOWN_COMMAND);
            return;
        }
        line[length++] = b;
    }

    private void lineEnded(ChannelHandlerContext ctx) {
        if (readingKey) {
            // String#equals of what Jetty read, in constant time (the key is US-ASCII, so bytes compare as characters)
            if (!MessageDigest.isEqual(Arrays.copyOf(line, length), key)) {
                finish(ctx, Verdict.WRONG_KEY);
                return;
            }
            readingKey = false;
            Arrays.fill(line, 0, length, (byte) 0);
            length = 0;
            return;
        }
        String command = new String(line, 0, length, StandardCharsets.US_ASCII).toLowerCase(Locale.ENGLISH);
        finish(ctx, switch (command) {
            case "stop", "forcestop", "stopexit", "exit" -> Verdict.STOP;
            case "status" -> Verdict.STATUS;
            case "pid" -> Verdict.PID;
            default -> Verdict.UNKNOWN_COMMAND;
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done && length > 0) {
            lineEnded(ctx); // readLine returns a last line the end of the stream ended
        }
        finish(ctx, readingKey ? Verdict.WRONG_KEY : Verdict.UNKNOWN_COMMAND);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a read error ends the connection, as in Jetty
        finish(ctx, readingKey ? Verdict.WRONG_KEY : Verdict.UNKNOWN_COMMAND);
    }

    private void finish(ChannelHandlerContext ctx, Verdict reached) {
        if (done) {
            return;
        }
        done = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        Arrays.fill(line, (byte) 0);
        switch (reached) {
            case STOP -> {
                // stays open: answered once the cluster has stopped
            }
            case STATUS -> answer(ctx.channel(), "OK\r\n");
            case PID -> answer(ctx.channel(), Long.toString(ProcessHandle.current().pid()));
            default -> ctx.close();
        }
        verdict.accept(reached);
    }

    /** Tells a connection that sent a stop command that the cluster has stopped (as Jetty does before it exits). */
    static ChannelFuture answerStopped(Channel client) {
        return answer(client, "Stopped\r\n");
    }

    private static ChannelFuture answer(Channel client, String text) {
        return client.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
