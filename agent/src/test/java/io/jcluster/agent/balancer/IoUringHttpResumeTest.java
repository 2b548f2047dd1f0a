package io.jcluster.agent.balancer;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options.ProxyProtocol;
import io.jcluster.agent.config.Options.TransportChoice;
import io.jcluster.agent.http.proxy.HttpFrontend;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.uring.IoUring;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The io_uring stall of {@link IoUringRelayResumeTest} in http mode: the real listener and http proxy
 * ({@link HttpFrontend}) on the balancer's io_uring configuration, over loopback, between a worker that answers one
 * GET with 64 MiB as fast as it can (Content-Length or chunked; then closing, or keeping the connection) and a client
 * that reads nothing for a while, then everything. The proxy pauses the worker for back-pressure and resumes it when
 * the client drains; a stall shows as a client read that times out, with the bytes received and the client
 * channel's transport state in the failure message.
 */
class IoUringHttpResumeTest {

    private static final int TOTAL = 64 * 1024 * 1024;
    private static final int CHUNK = 16 * 1024;
    private static final int RUNS = 8;

    @Test
    void contentLengthThenClose() throws Exception {
        eachRun(false, true);
    }

    @Test
    void chunkedThenClose() throws Exception {
        eachRun(true, true);
    }

    @Test
    void contentLengthKeptAlive() throws Exception {
        eachRun(false, false);
    }

    /**
     * The other direction: the client sends a 64 MiB request body and its FIN as fast as it can, the worker reads
     * nothing for a while, then everything; the proxy pauses the client for back-pressure.
     */
    @Test
    void uploadThenFin() throws Exception {
        requireIoUring();
        Transport transport = Transport.choose(TransportChoice.IO_URING);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlers);
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        try (ServerSocket worker = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Listener listener = Listener.open(new InetSocketAddress("127.0.0.1", freePort()),
                    List.of(new Backend(0, (InetSocketAddress) worker.getLocalSocketAddress())),
                    SelectionStrategy.roundRobin(), group, transport, connections,
                    HttpFrontend.of(OptionParser.parse("mode=http"), false), ConnectionLimit.NONE, null, null,
                    ProxyProtocol.OFF);
            try {
                for (int run = 0; run < RUNS; run++) {
                    List<String> stall = new ArrayList<>();
                    long received = uploadOnce(worker, listener.port(), 100 + 50 * run, connections, stall);
                    assertEquals(TOTAL, received, "run " + run + " stalled at " + received + " of " + TOTAL
                            + " body bytes: " + stall);
                }
            } finally {
                listener.stopAccepting();
                connections.close().awaitUninterruptibly();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static long uploadOnce(ServerSocket worker, int port, long pauseMillis, ChannelGroup connections,
                                   List<String> stall) throws Exception {
        Thread sender = new Thread(() -> {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", port));
                OutputStream out = client.getOutputStream();
                out.write(("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + TOTAL + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] chunk = new byte[CHUNK];
                for (int sent = 0; sent < TOTAL; sent += CHUNK) {
                    out.write(chunk);
                }
                client.shutdownOutput();
                client.setSoTimeout(10_000);
                client.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // the worker's count tells
            }
        }, "uploader");
        sender.setDaemon(true);
        sender.start();
        long received = 0;
        try (Socket s = worker.accept()) {
            s.setSoTimeout(3_000); // a stalled proxy ends the read instead of hanging the test
            Thread.sleep(pauseMillis); // the client fills the proxy while the worker reads nothing
            InputStream in = s.getInputStream();
            try {
                if (!readHead(in)) {
                    return -1;
                }
                byte[] buffer = new byte[1 << 16];
                int read;
                while (received < TOTAL && (read = in.read(buffer)) >= 0) {
                    received += read;
                }
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (SocketTimeoutException stalled) {
                for (Channel channel : connections) {
                    stall.add(channel.eventLoop().submit(() -> IoUringRelayResumeTest.state(channel)).get());
                }
            }
        }
        sender.join(15_000);
        return received;
    }

    private static void requireIoUring() {
        if (!IoUring.isAvailable()) {
            System.err.println("SKIPPED LOUDLY: IoUringHttpResumeTest needs io_uring, not available here: "
                    + IoUring.unavailabilityCause());
        }
        assumeTrue(IoUring.isAvailable(), "io_uring is not available here: " + IoUring.unavailabilityCause());
    }

    private static void eachRun(boolean chunked, boolean workerCloses) throws Exception {
        requireIoUring();
        Transport transport = Transport.choose(TransportChoice.IO_URING);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlers);
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        try (ServerSocket worker = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            Thread answering = new Thread(() -> answer(worker, chunked, workerCloses), "worker");
            answering.setDaemon(true);
            answering.start();
            Listener listener = Listener.open(new InetSocketAddress("127.0.0.1", freePort()),
                    List.of(new Backend(0, (InetSocketAddress) worker.getLocalSocketAddress())),
                    SelectionStrategy.roundRobin(), group, transport, connections,
                    HttpFrontend.of(OptionParser.parse("mode=http"), false), ConnectionLimit.NONE, null, null,
                    ProxyProtocol.OFF);
            try {
                for (int run = 0; run < RUNS; run++) {
                    List<String> stall = new ArrayList<>();
                    long expected = chunked ? chunkedLength() : TOTAL;
                    long received = fetchOnce(listener.port(), 100 + 50 * run, expected, connections, stall);
                    assertEquals(expected, received, "run " + run + " stalled at " + received + " of " + expected
                            + " body bytes: " + stall);
                }
            } finally {
                listener.stopAccepting();
                connections.close().awaitUninterruptibly();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** The chunked body's bytes on the wire: 16 KiB chunks, then the last chunk. */
    private static long chunkedLength() {
        return (long) (TOTAL / CHUNK) * (Integer.toHexString(CHUNK).length() + 2 + CHUNK + 2) + 5;
    }

    /** The worker: answers each GET with 64 MiB, then closes or waits for the next request. */
    private static void answer(ServerSocket worker, boolean chunked, boolean closes) {
        while (!worker.isClosed()) {
            try (Socket s = worker.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (readHead(in)) {
                    out.write((chunked ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            : "HTTP/1.1 200 OK\r\nContent-Length: " + TOTAL + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[CHUNK];
                    byte[] size = (Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    byte[] crlf = {'\r', '\n'};
                    for (int sent = 0; sent < TOTAL; sent += CHUNK) {
                        if (chunked) {
                            out.write(size);
                        }
                        out.write(chunk);
                        if (chunked) {
                            out.write(crlf);
                        }
                    }
                    if (chunked) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                    if (closes) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the proxy went away, or the test ended: the client's count tells
            }
        }
    }

    /** Reads a request or response head; false at the end of the stream. */
    private static boolean readHead(InputStream in) throws IOException {
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            last4 = last4 << 8 | b;
            if (last4 == 0x0d0a0d0a) {
                return true;
            }
        }
        return false;
    }

    /** One GET through the proxy, read late: the body bytes received (until {@code expected} or a stall). */
    private static long fetchOnce(int port, long pauseMillis, long expected, ChannelGroup connections,
                                  List<String> stall) throws Exception {
        long received = 0;
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", port));
            client.setSoTimeout(3_000); // a stalled proxy ends the read instead of hanging the test
            client.getOutputStream().write("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(pauseMillis); // the worker fills the proxy while the client reads nothing
            InputStream in = client.getInputStream();
            try {
                if (!readHead(in)) {
                    return -1;
                }
                byte[] buffer = new byte[1 << 16];
                int read;
                while (received < expected && (read = in.read(buffer)) >= 0) {
                    received += read;
                }
            } catch (SocketTimeoutException stalled) {
                for (Channel channel : connections) {
                    stall.add(channel.eventLoop().submit(() -> IoUringRelayResumeTest.state(channel)).get());
                }
            }
        }
        return received;
    }
}
