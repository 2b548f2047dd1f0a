package io.jcluster.agent.balancer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;

import java.nio.charset.StandardCharsets;

/**
 * One end of a relayed connection in a unit test: an EmbeddedChannel that is also a {@link DuplexChannel} (the relay
 * passes a half-close on only to one, as every real socket channel is), with auto-read off as the listener's
 * channels have it. It counts the reads asked of it and can hold what is written to it, as a peer that stops reading
 * does: its outbound buffer then fills past the high-water mark and the channel turns non-writable.
 */
final class Peer extends EmbeddedChannel implements DuplexChannel {

    /** Reads asked of the transport ({@code doBeginRead}); the relays ask for one batch at a time. */
    int reads;
    private boolean holdWrites;
    private boolean inputShutdown;
    private boolean outputShutdown;

    /** Unregistered: a Bootstrap registers it, or {@link #register()}. */
    Peer() {
        super(DefaultChannelId.newInstance(), false, false);
        config().setAutoRead(false);
    }

    static Peer registered() {
        Peer peer = new Peer();
        try {
            peer.register();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return peer;
    }

    @Override
    protected void doBeginRead() {
        reads++;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (!holdWrites) {
            super.doWrite(in);
        }
    }

    /** From now on what is written stays in the outbound buffer: the far end stopped reading. */
    void holdWrites() {
        holdWrites = true;
    }

    /** The far end reads again: everything held goes out (and writability returns). */
    void releaseWrites() {
        holdWrites = false;
        flush();
    }

    /** Bytes arrive from the far end (one read batch). */
    void receive(String text) {
        writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    /** The far end half-closed: its FIN arrived (as a socket with ALLOW_HALF_CLOSURE reports it). */
    void finReceived() {
        inputShutdown = true;
        pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        runPendingTasks();
    }

    /** Everything written to the far end so far, as text; empty buffers (flush markers) leave no trace. */
    String written() {
        StringBuilder text = new StringBuilder();
        for (Object msg; (msg = readOutbound()) != null; ) {
            ByteBuf bytes = (ByteBuf) msg;
            text.append(bytes.toString(StandardCharsets.US_ASCII));
            bytes.release();
        }
        return text.toString();
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        inputShutdown = true;
        return promise.setSuccess();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        outputShutdown = true;
        return promise.setSuccess();
    }

    @Override
    public boolean isShutdown() {
        return inputShutdown && outputShutdown;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        inputShutdown = true;
        outputShutdown = true;
        return promise.setSuccess();
    }
}
