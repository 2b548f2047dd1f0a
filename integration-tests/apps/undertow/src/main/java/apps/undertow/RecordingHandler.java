package apps.undertow;

import apps.recorder.RequestJournal;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.nio.charset.StandardCharsets;

/** Recording mode (see {@link RequestJournal}): every method, every path; the body read to its end. */
final class RecordingHandler implements HttpHandler {

    private final RequestJournal journal;

    RecordingHandler(RequestJournal journal) {
        this.journal = journal;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this); // blocking reads off the IO thread
            return;
        }
        exchange.startBlocking();
        byte[] body = exchange.getInputStream().readAllBytes();
        String query = exchange.getQueryString();
        String line = journal.record(exchange.getRequestMethod().toString(),
                exchange.getRequestURI() + (query == null || query.isEmpty() ? "" : "?" + query), body,
                exchange.getSourceAddress().getPort(), exchange.getRequestHeaders().getFirst("X-Forwarded-For"));
        byte[] answer = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=iso-8859-1");
        exchange.setResponseContentLength(answer.length);
        exchange.getOutputStream().write(answer);
        exchange.endExchange();
    }
}
