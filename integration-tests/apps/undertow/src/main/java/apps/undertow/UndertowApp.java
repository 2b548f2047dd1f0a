package apps.undertow;

import apps.recorder.RequestJournal;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.net.InetSocketAddress;

/**
 * A plain Undertow server: {@code java -jar app.jar PORT}. GET / answers with this process's pid (also in
 * X-Pid); GET /slow?ms=N answers after N ms; GET /peer answers with the client address and port Undertow
 * reports; GET /session-count is a session counter ({@link SessionCounterHandler}).
 */
public final class UndertowApp {

    private UndertowApp() {
    }

    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        long pid = ProcessHandle.current().pid();
        HttpHandler sessionCounter = SessionCounterHandler.create();
        HttpHandler handler = new HttpHandler() {
            @Override
            public void handleRequest(HttpServerExchange exchange) throws Exception {
                if (exchange.getRequestPath().equals("/session-count")) {
                    sessionCounter.handleRequest(exchange);
                    return;
                }
                if (exchange.isInIoThread()) {
                    exchange.dispatch(this); // blocking work off the IO thread
                    return;
                }
                String body = "undertow pid " + pid + "\n";
                if (exchange.getRequestPath().equals("/slow")) {
                    String ms = exchange.getQueryParameters().containsKey("ms")
                            ? exchange.getQueryParameters().get("ms").getFirst() : "1000";
                    Thread.sleep(Long.parseLong(ms));
                    body = "slow done by pid " + pid + "\n";
                } else if (exchange.getRequestPath().equals("/peer")) {
                    body = peer(exchange);
                }
                exchange.getResponseHeaders().put(new HttpString("X-Pid"), Long.toString(pid));
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
                exchange.getResponseSender().send(body);
            }
        };
        RequestJournal journal = RequestJournal.fromSystemProperty();
        if (journal != null) { // recording mode: every request is recorded (HttpDesyncIT)
            handler = new RecordingHandler(journal);
        }
        Undertow server = Undertow.builder().addHttpListener(port, "0.0.0.0").setHandler(handler).build();
        server.start();
        InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        System.out.println("undertow app listening on port " + address.getPort());
    }

    // ---- the client's address as the app sees it (real client address tests) ----

    /** {@code peer <address> <port>}: what the exchange says its source is. */
    private static String peer(HttpServerExchange exchange) {
        InetSocketAddress source = exchange.getSourceAddress();
        return "peer " + source.getAddress().getHostAddress() + " " + source.getPort() + "\n";
    }
}
