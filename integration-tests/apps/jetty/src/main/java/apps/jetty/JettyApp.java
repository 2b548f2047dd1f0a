package apps.jetty;

import apps.recorder.RequestJournal;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * A plain Jetty 12 server: {@code java -jar app.jar PORT}. GET / answers with this process's pid (also in the
 * X-Pid header); GET /slow?ms=N answers after N ms; GET /peer answers with the client address and port Jetty
 * reports.
 */
public final class JettyApp {

    private JettyApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        long pid = ProcessHandle.current().pid();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                String body;
                if (path.equals("/slow")) {
                    Fields query = Request.extractQueryParameters(request);
                    Thread.sleep(Long.parseLong(query.getValue("ms") == null ? "1000" : query.getValue("ms")));
                    body = "slow done by pid " + pid + "\n";
                } else if (path.equals("/peer")) {
                    body = peer(request);
                } else {
                    body = "jetty pid " + pid + "\n";
                }
                response.getHeaders().put("X-Pid", Long.toString(pid));
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                Content.Sink.write(response, true, body, callback);
                return true;
            }
        });
        RequestJournal journal = RequestJournal.fromSystemProperty();
        if (journal != null) { // recording mode: every request is recorded (HttpDesyncIT)
            server.setHandler(new RecordingHandler(journal));
        }
        server.setStopAtShutdown(true);
        server.start();
        System.out.println("jetty app listening on port " + connector.getLocalPort());
        server.join();
    }

    // ---- the client's address as the app sees it (real client address tests) ----

    /** {@code peer <address> <port>}: what Jetty's request API says the client is. */
    private static String peer(Request request) {
        return "peer " + Request.getRemoteAddr(request) + " " + Request.getRemotePort(request) + "\n";
    }
}
