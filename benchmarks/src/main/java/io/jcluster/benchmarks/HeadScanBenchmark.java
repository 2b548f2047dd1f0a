package io.jcluster.benchmarks;

import io.jcluster.agent.http.wire.MessageHead;
import io.jcluster.shaded.io.netty.buffer.ByteBuf;
import io.jcluster.shaded.io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's head scan alone ({@link MessageHead#scan}, one connection's scanner reused as on a keep-alive
 * connection), over heads as they come in from a direct buffer: wrk's request head, a browser's request head and
 * nginx's response head. {@code -prof gc}'s gc.alloc.rate.norm is the bytes allocated per head (0 expected).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HeadScanBenchmark {

    private static final String WRK = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
    private static final String BROWSER = "GET /assets/app.js?v=42 HTTP/1.1\r\n"
            + "Host: www.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Referer: https://www.example.com/index.html\r\n"
            + "Connection: keep-alive\r\n"
            + "Cookie: session=4f6a2c1e9b7d8a3f; theme=dark; consent=1\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "Sec-Fetch-Dest: script\r\n"
            + "Sec-Fetch-Mode: no-cors\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "\r\n";
    private static final String NGINX = "HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.24.0\r\n"
            + "Date: Tue, 01 Dec 2026 04:00:00 GMT\r\n"
            + "Content-Type: text/html\r\n"
            + "Content-Length: 615\r\n"
            + "Last-Modified: Mon, 30 Nov 2026 10:00:00 GMT\r\n"
            + "Connection: keep-alive\r\n"
            + "ETag: \"6564a2b0-267\"\r\n"
            + "Accept-Ranges: bytes\r\n"
            + "\r\n";

    private final MessageHead request = new MessageHead(true, 8192, 65536);
    private final MessageHead response = new MessageHead(false, 8192, 65536);
    private ByteBuf wrk;
    private ByteBuf browser;
    private ByteBuf nginx;

    @Setup
    public void setUp() {
        wrk = direct(WRK);
        browser = direct(BROWSER);
        nginx = direct(NGINX);
    }

    @TearDown
    public void tearDown() {
        wrk.release();
        browser.release();
        nginx.release();
    }

    private static ByteBuf direct(String head) {
        byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    private static int scan(MessageHead head, ByteBuf in) {
        head.reset();
        int outcome = head.scan(in);
        if (outcome != MessageHead.COMPLETE) {
            throw new IllegalStateException("head not complete: " + head.error());
        }
        return head.length();
    }

    @Benchmark
    public int wrkRequest() {
        return scan(request, wrk);
    }

    @Benchmark
    public int browserRequest() {
        return scan(request, browser);
    }

    @Benchmark
    public int nginxResponse() {
        return scan(response, nginx);
    }
}
