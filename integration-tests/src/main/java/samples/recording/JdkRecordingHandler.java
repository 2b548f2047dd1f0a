package samples.recording;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Recording mode of the JDK HTTP server samples (see {@link RequestJournal}): every method, every path. */
public final class JdkRecordingHandler implements HttpHandler {

    private final RequestJournal journal;

    public JdkRecordingHandler(RequestJournal journal) {
        this.journal = journal;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String line = journal.record(exchange.getRequestMethod(), exchange.getRequestURI().toString(), body,
                exchange.getRemoteAddress().getPort(), exchange.getRequestHeaders().getFirst("X-Forwarded-For"));
        byte[] answer = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=iso-8859-1");
        exchange.sendResponseHeaders(200, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }
}
