package io.jcluster.agent.service;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/** Plays systemd's end of NOTIFY_SOCKET: a unix datagram socket a test binds and reads notifications from. */
public final class NotifyReceiver implements AutoCloseable {

    private final Socket socket;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(8192);
    private final String address;

    /** @param address {@code @name} (abstract) or a path, as NOTIFY_SOCKET gives it */
    public NotifyReceiver(String address) throws IOException {
        Epoll.ensureAvailability();
        this.address = address;
        this.socket = Socket.newSocketDomainDgram();
        socket.bind(new DomainSocketAddress(address.startsWith("@") ? "\0" + address.substring(1) : address));
    }

    /** An abstract socket with a name no other test uses. */
    public static NotifyReceiver abstractSocket() throws IOException {
        return new NotifyReceiver("@jcluster-test-" + UUID.randomUUID());
    }

    /** The value for NOTIFY_SOCKET. */
    public String address() {
        return address;
    }

    /** The next datagram, or null when none came within {@code timeout}. */
    public String next(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            buffer.clear();
            DomainDatagramSocketAddress from = socket.recvFromDomainSocket(buffer, 0, buffer.capacity());
            if (from != null) {
                byte[] bytes = new byte[from.receivedAmount()];
                buffer.get(0, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.sleep(5);
        }
    }

    /** The next datagram that is not a watchdog ping; fails the test when none comes within 10 s. */
    public String nextState() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() - deadline < 0) {
            String message = next(Duration.ofMillis(100));
            if (message != null && !message.equals("WATCHDOG=1")) {
                return message;
            }
        }
        throw new AssertionError("no notification within 10s on " + address);
    }

    /** Nothing but watchdog pings for {@code quiet}: returns the first other datagram, or null. */
    public String stateWithin(Duration quiet) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() - deadline < 0) {
            String message = next(Duration.ofMillis(20));
            if (message != null && !message.equals("WATCHDOG=1")) {
                return message;
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
