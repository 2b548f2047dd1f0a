package apps.tomcat;

import apps.recorder.RequestJournal;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.RemoteAddrValve;

import java.io.IOException;
import java.nio.file.Files;

/**
 * Embedded Tomcat: {@code java -jar app.jar PORT [nio|nio2] [SHUTDOWN_PORT]}. With a shutdown port, the server
 * waits on it for "SHUTDOWN" as a standalone Tomcat does (StandardServer.await). GET / answers with this
 * process's pid (also in X-Pid); GET /slow?ms=N answers after N ms; GET /session counts requests in the
 * servlet session (Tomcat's own JSESSIONID cookie); GET /session-count is the session counter of sessions=shared
 * ({@link SessionCounterServlet}); GET /peer answers with the client address and port Tomcat
 * reports; GET /guarded/ is behind a {@code RemoteAddrValve} that allows only 127.0.0.1 (others get 403).
 */
public final class TomcatApp {

    private TomcatApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        String protocol = args.length > 1 ? args[1] : "nio";
        int shutdownPort = args.length > 2 ? Integer.parseInt(args[2]) : -1;
        long pid = ProcessHandle.current().pid();

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat-app").toString());
        Connector connector = new Connector(protocol.equals("nio2")
                ? "org.apache.coyote.http11.Http11Nio2Protocol" : "org.apache.coyote.http11.Http11NioProtocol");
        connector.setPort(port);
        tomcat.setConnector(connector);
        tomcat.getServer().setPort(shutdownPort);

        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "pid", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                String body = "tomcat pid " + pid + "\n";
                if (request.getRequestURI().equals("/slow")) {
                    String ms = request.getParameter("ms");
                    try {
                        Thread.sleep(Long.parseLong(ms == null ? "1000" : ms));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    body = "slow done by pid " + pid + "\n";
                } else if (request.getRequestURI().equals("/peer")) {
                    body = peer(request);
                } else if (request.getRequestURI().equals("/session")) {
                    HttpSession session = request.getSession(true);
                    Integer count = (Integer) session.getAttribute("count");
                    count = count == null ? 1 : count + 1;
                    session.setAttribute("count", count);
                    body = "count " + count + "\n";
                }
                response.setHeader("X-Pid", Long.toString(pid));
                response.setContentType("text/plain;charset=utf-8");
                response.getWriter().write(body);
            }
        });
        Tomcat.addServlet(context, "session-count", new SessionCounterServlet());
        context.addServletMappingDecoded("/session-count", "session-count");
        context.addApplicationListener(SessionCounterServlet.Events.class.getName());
        RequestJournal journal = RequestJournal.fromSystemProperty();
        if (journal != null) { // recording mode: every request is recorded (HttpDesyncIT)
            Tomcat.addServlet(context, "rec", new RecordingServlet(journal));
            context.addServletMappingDecoded("/*", "rec");
        } else {
            context.addServletMappingDecoded("/*", "pid");
        }
        addGuardedContext(tomcat);
        tomcat.start();
        System.out.println("tomcat app (" + protocol + ") listening on port " + connector.getLocalPort()
                + (shutdownPort > 0 ? ", shutdown port " + shutdownPort : ""));
        tomcat.getServer().await();
        tomcat.stop();
        tomcat.destroy();
    }

    // ---- the client's address as the app sees it (real client address tests) ----

    /** {@code peer <address> <port>}: what the servlet API says the client is. */
    private static String peer(HttpServletRequest request) {
        return "peer " + request.getRemoteAddr() + " " + request.getRemotePort() + "\n";
    }

    /** /guarded: Tomcat's own access control by client address, allowing only 127.0.0.1 (others: 403). */
    private static void addGuardedContext(Tomcat tomcat) {
        Context guarded = tomcat.addContext("/guarded", null);
        RemoteAddrValve valve = new RemoteAddrValve();
        valve.setAllow("127\\.0\\.0\\.1");
        guarded.getPipeline().addValve(valve);
        Tomcat.addServlet(guarded, "guarded", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain;charset=utf-8");
                response.getWriter().write("guarded ok, " + peer(request));
            }
        });
        guarded.addServletMappingDecoded("/*", "guarded");
    }
}
