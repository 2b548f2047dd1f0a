package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A WebSocket (the JDK's client, against samples.web.WebSocketEcho) through the balancer: in http mode the
 * upgrade request goes to one worker and after its 101 both connections become a tunnel; in tcp mode it is just
 * bytes. 1,000 messages each way, every echo back, in order.
 */
@Timeout(180)
class WebSocketIT {

    /**
     * Each mode on {@link Jdk#both()}: the tunnel is the balancer's relay, on each transport; the third variant of
     * {@link Jdk#all()} only repeats epoll.
     */
    static Stream<Arguments> modes() {
        return Jdk.both().flatMap(jdk -> Stream.of("http", "tcp").map(mode -> Arguments.of(jdk, mode)));
    }

    @ParameterizedTest(name = "{0} mode={1}")
    @MethodSource("modes")
    void thousandMessagesEachWayAllComeBack(Jdk jdk, String mode) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.on(jdk).agentArgs("processes=2,mode=" + mode)
                .jvmFlags(HttpProxyIT.PARANOID_LEAK_DETECTION)
                .mainClass("samples.web.WebSocketEcho").args(Integer.toString(port)).start()) {
            cluster.awaitListening("0.0.0.0:" + port, STARTUP);
            List<Long> workers = new ArrayList<>(cluster.awaitWorkers(2, STARTUP).values());
            Echoes echoes = new Echoes();
            WebSocket socket = connect(port, echoes, cluster);
            socket.sendText("pid", true).get(10, TimeUnit.SECONDS);
            String pid = echoes.next();
            assertTrue(workers.contains(Long.parseLong(pid)), "a worker answers: " + pid + " of " + workers);

            // all sent before any is read: the tunnel must carry a backlog both ways
            List<CompletableFuture<WebSocket>> sent = new ArrayList<>();
            CompletableFuture<WebSocket> previous = CompletableFuture.completedFuture(socket);
            for (int i = 0; i < 1000; i++) {
                String message = "message " + i + " " + "x".repeat(i % 300);
                previous = previous.thenCompose(ws -> ws.sendText(message, true));
                sent.add(previous);
            }
            previous.get(30, TimeUnit.SECONDS);
            for (int i = 0; i < 1000; i++) {
                assertEquals("message " + i + " " + "x".repeat(i % 300), echoes.next(), "echo " + i);
            }
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
            assertNotNull(echoes.closed.get(10, TimeUnit.SECONDS), "the close handshake completes through the proxy");
            HttpProxyIT.assertNoLeakAfterGc(cluster);
        }
    }

    private static WebSocket connect(int port, Echoes echoes, ClusterProcess cluster) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/echo"), echoes)
                .get(15, TimeUnit.SECONDS);
    }

    /** Collects whole text messages. */
    static final class Echoes implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        String next() throws InterruptedException {
            String message = messages.poll(15, TimeUnit.SECONDS);
            if (message == null) {
                throw new AssertionError("no message within 15 s");
            }
            return message;
        }
    }
}
