package io.jcluster.benchmarks;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Balancer;
import io.jcluster.agent.balancer.ConnectionLimit;
import io.jcluster.agent.balancer.Frontend;
import io.jcluster.agent.balancer.Transport;
import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;
import io.jcluster.agent.config.Strategy;
import io.jcluster.agent.http.proxy.HttpFrontend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Round trips through the real balancer on loopback, one client connection per benchmark thread, each op waiting for
 * its answer: a blocking client -> the balancer's listener -> a blocking backend, all in this JVM. Run with
 * {@code -prof gc}: gc.alloc.rate.norm is the bytes allocated per round trip by every thread of the JVM, and the
 * client and backends allocate (next to) nothing, which the {@code direct} rows (client straight to the backend,
 * no balancer) show; the difference is the balancer's.
 *
 * <ul>
 *   <li>{@link #tcpEcho}: tcp mode (the balancer's byte relay), a 100-byte message to an echo backend and back.
 *   <li>{@link #httpGet}: http mode (HttpFrontend: decode, pick a backend per request, pooled keep-alive backend
 *   connection, forwarded headers), a GET answered with a fixed 13-byte body.
 * </ul>
 *
 * The time per op is a loopback round trip with the kernel's wake-ups in it, on whatever cores are free; it says
 * little about the balancer. The allocation figure is the point.
 *
 * <p>On io_uring, a JVM whose compiler queue is long (a busy machine, or JFR on) may compile Netty's
 * {@code IoRegistrationWrapper.submit} at tier 2, without a receiver profile; C2 then leaves that interface call
 * virtual, Netty's per-write {@code IoUringIoOps} escapes into it, and the fork reports about 144 B more per round
 * trip. Forks in that mode are a property of tiered compilation, not of the relay: {@code -jvmArgsAppend
 * -XX:-TieredCompilation} (what the standalone balancer runs with on JDK 22+) leaves them out (bench/RESULTS.md).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(1)
// the event loops' code must be JIT-compiled (escape analysis included) before allocations are counted
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class RelayBenchmark {

    static final int MESSAGE = 100;

    /** Where the client connects: a balancer on the given transport in front of {@code backend}, or the backend. */
    @State(Scope.Benchmark)
    public abstract static class Target {

        /** balancer: through the balancer; direct: to the backend itself (the baseline). */
        @Param({"balancer", "direct"})
        public String path;

        /** The balancer's transport= value (ignored for direct). */
        @Param({"io_uring", "epoll"})
        public String transport;

        LoopbackServers.Server backend;
        Balancer balancer;
        InetSocketAddress target;

        void open(LoopbackServers.Server server, Frontend frontend) throws Exception {
            backend = server;
            if (path.equals("direct")) {
                target = backend.address();
            } else {
                balancer = Balancer.start(Strategy.LEAST_CONNECTIONS, frontend, ConnectionLimit.NONE,
                        Transport.choose(Options.TransportChoice.valueOf(transport.toUpperCase(Locale.ROOT))), 0);
                target = listen(balancer, backend);
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            close(balancer, backend);
        }
    }

    /** tcp mode in front of an echo backend. */
    @State(Scope.Benchmark)
    public static class Tcp extends Target {
        @Setup(Level.Trial)
        public void start() throws Exception {
            open(LoopbackServers.echo(), Frontend.tcp());
        }
    }

    @State(Scope.Thread)
    public static class TcpClient {

        final byte[] message = new byte[MESSAGE];
        final byte[] reply = new byte[MESSAGE];
        Socket socket;
        InputStream in;
        OutputStream out;

        @Setup(Level.Trial)
        public void connect(Tcp tcp) throws IOException {
            for (int i = 0; i < MESSAGE; i++) {
                message[i] = (byte) ('a' + i % 26);
            }
            socket = LoopbackServers.connect(tcp.target);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        @TearDown(Level.Trial)
        public void disconnect() throws IOException {
            socket.close();
        }
    }

    @Benchmark
    public byte tcpEcho(TcpClient client) throws IOException {
        client.out.write(client.message);
        LoopbackServers.readFully(client.in, client.reply, MESSAGE);
        return client.reply[MESSAGE - 1];
    }

    /** http mode in front of a backend answering a fixed HTTP/1.1 response. */
    @State(Scope.Benchmark)
    public static class Http extends Target {
        @Setup(Level.Trial)
        public void start() throws Exception {
            open(LoopbackServers.http(), HttpFrontend.of(OptionParser.parse("mode=http"), false));
        }
    }

    @State(Scope.Thread)
    public static class HttpClient {

        byte[] request;
        final byte[] response = new byte[4096];
        Socket socket;
        InputStream in;
        OutputStream out;

        @Setup(Level.Trial)
        public void connect(Http http) throws IOException {
            request = ("GET /hello HTTP/1.1\r\nHost: 127.0.0.1:" + http.target.getPort() + "\r\nUser-Agent: jmh\r\n"
                    + "Accept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            socket = LoopbackServers.connect(http.target);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            int status = exchange();
            if (status != 200) {
                throw new IOException("expected 200 from " + http.target + ", got " + status);
            }
        }

        /** Sends the request, reads the whole response (headers, then Content-Length bytes); returns the status. */
        int exchange() throws IOException {
            out.write(request);
            int length = 0;
            int matched = 0;
            int headerEnd = -1;
            while (headerEnd < 0) {
                int n = in.read(response, length, response.length - length);
                if (n < 0) {
                    throw new IOException("connection closed in the response headers");
                }
                for (int i = length; i < length + n; i++) {
                    matched = LoopbackServers.next(matched, response[i]);
                    if (matched == 4) {
                        headerEnd = i + 1;
                        break;
                    }
                }
                length += n;
            }
            int body = contentLength(headerEnd);
            int bodyRead = length - headerEnd;
            while (bodyRead < body) {
                int n = in.read(response, 0, Math.min(response.length, body - bodyRead));
                if (n < 0) {
                    throw new IOException("connection closed in the response body");
                }
                bodyRead += n;
            }
            // "HTTP/1.1 200": the status is bytes 9-11
            return (response[9] - '0') * 100 + (response[10] - '0') * 10 + (response[11] - '0');
        }

        private static final byte[] CONTENT_LENGTH = "\ncontent-length:".getBytes(StandardCharsets.US_ASCII);

        private int contentLength(int headerEnd) throws IOException {
            outer:
            for (int i = 0; i + CONTENT_LENGTH.length < headerEnd; i++) {
                for (int j = 0; j < CONTENT_LENGTH.length; j++) {
                    if (Character.toLowerCase(response[i + j]) != CONTENT_LENGTH[j]) {
                        continue outer;
                    }
                }
                int value = 0;
                for (int k = i + CONTENT_LENGTH.length; k < headerEnd; k++) {
                    byte b = response[k];
                    if (b >= '0' && b <= '9') {
                        value = value * 10 + (b - '0');
                    } else if (b != ' ') {
                        break;
                    }
                }
                return value;
            }
            throw new IOException("response without Content-Length");
        }

        @TearDown(Level.Trial)
        public void disconnect() throws IOException {
            socket.close();
        }
    }

    @Benchmark
    public int httpGet(HttpClient client) throws IOException {
        return client.exchange();
    }

    private static InetSocketAddress listen(Balancer balancer, LoopbackServers.Server backend) throws IOException {
        InetSocketAddress listening = new InetSocketAddress(LoopbackServers.LOOPBACK, LoopbackServers.freePort());
        balancer.listen(listening, new Backend(0, backend.address()));
        System.out.println("balancer: " + balancer.frontendName() + " on " + balancer.transportName()
                + (balancer.transportNote() == null ? "" : " (" + balancer.transportNote() + ")"));
        return listening;
    }

    private static void close(Balancer balancer, LoopbackServers.Server backend) throws IOException {
        if (balancer != null) {
            balancer.stopAccepting();
            balancer.close();
        }
        backend.close();
    }
}
