package apps.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The JDK's HTTP and WebSocket clients against the app on 127.0.0.1. */
final class Web {

    static final Duration TIMEOUT = Duration.ofSeconds(15);

    record Reply(int status, String body) {
    }

    private final int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    Web(int port) {
        this.port = port;
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Reply post(String path) throws IOException, InterruptedException {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(TIMEOUT);
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (!response.headers().firstValue("X-Pid").orElse("").equals(Long.toString(ProcessHandle.current().pid()))) {
            throw new AssertionError("no X-Pid of this process: " + response.headers());
        }
        return new Reply(response.statusCode(), response.body().strip());
    }

    /** A chat client: every whole text message lands in {@link #next()}'s queue. */
    ChatClient chat() throws Exception {
        ChatClient listener = new ChatClient();
        listener.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), listener)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return listener;
    }

    static final class ChatClient implements WebSocket.Listener, AutoCloseable {
        private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket;

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

        /** Sends texts one after the other (the JDK client allows one outstanding send). */
        void send(String text) throws Exception {
            socket.sendText(text, true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        String next() throws InterruptedException {
            String message = messages.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (message == null) {
                throw new AssertionError("no chat message within " + TIMEOUT);
            }
            return message;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
