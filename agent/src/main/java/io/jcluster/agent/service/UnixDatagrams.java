package io.jcluster.agent.service;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Datagrams to a unix socket through Netty's native epoll library, already in the agent jar: the JDK's
 * {@code DatagramChannel} has no unix-domain support (JDK 16 added unix sockets for stream channels only), and
 * sd_notify's socket is {@code SOCK_DGRAM}. Netty's {@code sendto} gives the address exactly the length of its
 * bytes, so an abstract name (leading NUL) reaches the right socket. The socket is non-blocking: a full receiver
 * makes a send return false rather than stall the parent.
 */
final class UnixDatagrams implements Datagrams {

    private final Socket socket;
    private final byte[] address;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);

    private UnixDatagrams(Socket socket, byte[] address) {
        this.socket = socket;
        this.address = address;
    }

    /**
     * @param address the {@code sun_path} bytes ({@link NotifyAddress})
     * @throws IOException when the native library cannot be loaded here (not Linux, or no epoll), with why
     */
    static UnixDatagrams open(byte[] address) throws IOException {
        if (!Epoll.isAvailable()) {
            Throwable cause = Epoll.unavailabilityCause();
            throw new IOException("Netty's native epoll library cannot be loaded here ("
                    + (cause == null ? "no reason given" : cause.getMessage()) + ")");
        }
        return new UnixDatagrams(Socket.newSocketDomainDgram(), address.clone());
    }

    @Override
    public synchronized boolean send(byte[] message) throws IOException {
        if (message.length > buffer.capacity()) {
            throw new IOException("a notification of " + message.length + " bytes is longer than "
                    + buffer.capacity());
        }
        buffer.clear();
        buffer.put(message).flip();
        return socket.sendToDomainSocket(buffer, 0, message.length, address) == message.length;
    }

    @Override
    public synchronized void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to tell systemd
        }
    }
}
