package io.jcluster.sessions.tomcat;

import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;
import org.apache.catalina.Context;
import org.apache.catalina.authenticator.BasicAuthenticator;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One "worker": a real embedded Tomcat on 127.0.0.1 (a free port) whose context /app has the adapter installed as
 * the agent would (at start, before Tomcat gives it a manager), serving {@link CounterServlet} at /app/count.
 */
final class TestServer implements AutoCloseable {

    static final String CONTEXT = "/app";
    private static final Pattern COUNT = Pattern.compile("count=(-?\\d+)");
    private static final Pattern SET_COOKIE = Pattern.compile("^JSESSIONID=([^;]+)");
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What the servlet spec let this server's listeners observe. */
    static final class Events implements HttpSessionListener, HttpSessionAttributeListener {
        final AtomicInteger created = new AtomicInteger();
        final AtomicInteger destroyed = new AtomicInteger();
        final AtomicInteger added = new AtomicInteger();
        final AtomicInteger replaced = new AtomicInteger();
        final AtomicInteger removed = new AtomicInteger();

        @Override
        public void sessionCreated(HttpSessionEvent event) {
            created.incrementAndGet();
        }

        @Override
        public void sessionDestroyed(HttpSessionEvent event) {
            destroyed.incrementAndGet();
        }

        @Override
        public void attributeAdded(HttpSessionBindingEvent event) {
            added.incrementAndGet();
        }

        @Override
        public void attributeReplaced(HttpSessionBindingEvent event) {
            replaced.incrementAndGet();
        }

        @Override
        public void attributeRemoved(HttpSessionBindingEvent event) {
            removed.incrementAndGet();
        }
    }

    /** One answer: status, body, the count in it (-1: none) and the session cookie it set (null: none). */
    record Reply(int status, String body, int count, String cookie) {
    }

    final Events events = new Events();
    final Context context;
    private final Tomcat tomcat = new Tomcat();
    private final int port;

    TestServer() throws Exception {
        tomcat.setBaseDir(Files.createTempDirectory("tomcat-sessions-test").toString());
        Connector connector = new Connector("org.apache.coyote.http11.Http11NioProtocol");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        context = tomcat.addContext(CONTEXT, null);
        Tomcat.addServlet(context, "count", new CounterServlet()).setAsyncSupported(true);
        context.addServletMappingDecoded("/count", "count");
        context.addServletContainerInitializer((classes, servletContext) -> servletContext.addListener(events), null);
        Tomcat.addServlet(context, "secure", new jakarta.servlet.http.HttpServlet() {
            @Override
            protected void doGet(jakarta.servlet.http.HttpServletRequest request,
                                 jakarta.servlet.http.HttpServletResponse response) throws IOException {
                response.getWriter().write("user=" + request.getRemoteUser() + "\n");
            }
        });
        context.addServletMappingDecoded("/secure", "secure");
        tomcat.addUser("alice", "secret");
        tomcat.addRole("alice", "user");
        context.addLifecycleListener(event -> {
            if (event.getType().equals(org.apache.catalina.Lifecycle.BEFORE_START_EVENT)) {
                new TomcatSessions().accept(context); // where the agent's advice calls it (startInternal entry)
                // BASIC login on /secure, its authenticator after the valve as ContextConfig would add it
                context.setLoginConfig(new LoginConfig("BASIC", "test", null, null));
                SecurityConstraint constraint = new SecurityConstraint();
                constraint.addAuthRole("user");
                SecurityCollection collection = new SecurityCollection();
                collection.addPattern("/secure");
                constraint.addCollection(collection);
                context.addConstraint(constraint);
                context.addSecurityRole("user");
                context.getPipeline().addValve(new BasicAuthenticator());
            }
        });
        tomcat.start();
        port = connector.getLocalPort();
    }

    Reply get(String query, String cookie) throws IOException, InterruptedException {
        return get("/count" + (query.isEmpty() ? "" : "?" + query), cookie, null);
    }

    /** GET {@code path} of the context, with the session cookie and Basic credentials {@code user:password}. */
    Reply get(String path, String cookie, String credentials) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + CONTEXT + path))
                .timeout(Duration.ofSeconds(10)).GET();
        if (cookie != null) {
            request.header("Cookie", "JSESSIONID=" + cookie);
        }
        if (credentials != null) {
            request.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String set = null;
        for (String header : response.headers().allValues("set-cookie")) {
            Matcher matcher = SET_COOKIE.matcher(header);
            if (matcher.find()) {
                set = matcher.group(1);
            }
        }
        Matcher count = COUNT.matcher(response.body());
        return new Reply(response.statusCode(), response.body(), count.find() ? Integer.parseInt(count.group(1)) : -1,
                set);
    }

    /**
     * GET {@code path} of the context over a plain socket: once {@code complete} says the client has the answer (the
     * servlet may still be running then), {@code atAnswer} gets what arrived; then reads on until the server closes
     * the connection (the request has ended: Tomcat closes it after the valves returned) and returns all of it.
     * Fails when the answer, or the end, does not come in 5 s.
     */
    String answer(String path, String cookie, java.util.function.Predicate<String> complete,
                  java.util.function.Consumer<String> atAnswer) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            String request = "GET " + CONTEXT + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (cookie == null ? "" : "Cookie: JSESSIONID=" + cookie + "\r\n") + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            boolean answered = false;
            while (true) {
                if (!answered && complete.test(received.toString(java.nio.charset.StandardCharsets.UTF_8))) {
                    answered = true;
                    atAnswer.accept(received.toString(java.nio.charset.StandardCharsets.UTF_8));
                }
                int n;
                try {
                    n = socket.getInputStream().read(buffer);
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError((answered ? "the request did not end" : "no complete answer")
                            + " in 5 s, got: " + received);
                }
                if (n < 0) {
                    if (!answered) {
                        throw new AssertionError("the connection closed before the answer was complete: " + received);
                    }
                    return received.toString(java.nio.charset.StandardCharsets.UTF_8);
                }
                received.write(buffer, 0, n);
            }
        }
    }

    /** The context's authenticator no longer looks for a cached login in the session (it asks every request's). */
    void withoutLoginCache() {
        for (org.apache.catalina.Valve valve : context.getPipeline().getValves()) {
            if (valve instanceof org.apache.catalina.authenticator.AuthenticatorBase authenticator) {
                authenticator.setCache(false);
            }
        }
    }

    /** Sessions requests are using right now, by the valve's count (0 once every request ended). */
    int sessionsInUse() {
        for (org.apache.catalina.Valve valve : context.getPipeline().getValves()) {
            if (valve instanceof SessionSharingValve sharing) {
                return sharing.sessionsInUse();
            }
        }
        throw new AssertionError("no SessionSharingValve in the context's pipeline");
    }

    /** Sessions this server's manager holds in memory. */
    int sessionsInMemory() {
        return context.getManager().findSessions().length;
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
