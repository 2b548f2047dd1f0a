package io.jcluster.sessions.jetty;

import io.jcluster.sessions.MemoryStore;
import io.jcluster.bootstrap.SharedSessions;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.session.FileSessionDataStoreFactory;
import org.eclipse.jetty.session.SessionHandler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Jetty's core (non-servlet) SessionHandler, which apps on Jetty's own handler API use: shared the same way. */
class CoreSessionHandlerTest {

    private final MemoryStore store = new MemoryStore();
    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Server server : servers) {
            server.stop();
        }
        SharedSessions.install(null);
    }

    @Test
    void theCountGoesOnAcrossTwoServers() throws Exception {
        SharedSessions.install(store);
        int[] ports = {start(), start()};
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String cookie = null;
        for (int i = 1; i <= 6; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i % 2] + "/"))
                    .timeout(Duration.ofSeconds(10));
            if (cookie != null) {
                request.header("Cookie", "JSESSIONID=" + cookie);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("count=" + i, response.body());
            cookie = response.headers().firstValue("Set-Cookie").map(value -> value.split("[=;]")[1]).orElse(cookie);
        }
        assertEquals(1, store.records.size());
        assertEquals(6, store.saves.get());
    }

    @Test
    void aSessionStoreTheServerWasGivenIsReplacedAndSaidSo() throws Exception {
        SharedSessions.install(store);
        Server server = new Server();
        server.addBean(new FileSessionDataStoreFactory()); // what Jetty's session-store-file module configures
        int port = start(server);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("count=1", response.body());
        assertEquals(1, store.records.size(), "the cluster's store has it");
        assertEquals(List.of("sessions=shared: a jetty session manager came with its own session storage ("
                + FileSessionDataStoreFactory.class.getName() + "); the cluster's store replaces it"), store.log);
    }

    private int start() throws Exception {
        return start(new Server());
    }

    private int start(Server server) throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        SessionHandler sessions = new SessionHandler();
        sessions.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Session session = request.getSession(true);
                Integer count = (Integer) session.getAttribute("count");
                count = count == null ? 1 : count + 1;
                session.setAttribute("count", count);
                Content.Sink.write(response, true, "count=" + count, callback);
                return true;
            }
        });
        server.setHandler(sessions);
        new JettySessions().accept(sessions);
        server.start();
        servers.add(server);
        return connector.getLocalPort();
    }
}
