package apps.jetty;

import apps.recorder.RequestJournal;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
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
 * reports; GET /session-count is an ee10 servlet with an HttpSession (see {@link SessionCountServlet}).
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
        Handler plain = new Handler.Abstract() {
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
        };
        Handler sessions = new Handler.Wrapper(sessionCounter()) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                return "/session-count".equals(request.getHttpURI().getPath())
                        && super.handle(request, response, callback);
            }
        };
        server.setHandler(new Handler.Sequence(sessions, plain));
        RequestJournal journal = RequestJournal.fromSystemProperty();
        if (journal != null) { // recording mode: every request is recorded (HttpDesyncIT)
            server.setHandler(new RecordingHandler(journal));
        }
        server.setStopAtShutdown(true);
        server.start();
        System.out.println("jetty app listening on port " + connector.getLocalPort());
        server.join();
    }

    /** An ee10 servlet context with sessions (the kind of web app sessions=shared shares). */
    private static ServletContextHandler sessionCounter() {
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.addServlet(new ServletHolder(new SessionCountServlet()), "/session-count");
        return context;
    }

    // ---- the client's address as the app sees it (real client address tests) ----

    /** {@code peer <address> <port>}: what Jetty's request API says the client is. */
    private static String peer(Request request) {
        return "peer " + Request.getRemoteAddr(request) + " " + Request.getRemotePort(request) + "\n";
    }
}
