package apps.cluster;

import io.jcluster.Cluster;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The Cluster API sample: {@code java [-javaagent:jcluster.jar=processes=N] -jar app.jar PORT} on Jetty 12.
 * <ul>
 *   <li>{@code ws://host:PORT/chat}: a chat room every worker's clients share ({@link Chat});</li>
 *   <li>{@code POST /count}, {@code GET /count}: a shared visit counter ({@link Counter});</li>
 *   <li>{@code GET /limited?client=X}: 200, or 429 past {@code limit.requests} per {@code limit.window}
 *       ({@link RateLimiter});</li>
 *   <li>a job every 200 ms on the leader only, logged to the file {@code -Djob.log=FILE} ({@link LeaderJob});
 *       {@code GET /job} tells how many runs this worker did;</li>
 *   <li>{@code GET /hash?rounds=N}: CPU work on the offload pool, 503 when it is full ({@link Hasher});
 *       {@code GET /ping} answers meanwhile;</li>
 *   <li>{@code GET /whoami}: {@code pid=P worker=I workers=N leader=true|false}.</li>
 * </ul>
 * Every response carries {@code X-Pid}. Without the agent (the API jar on the class path) it runs as one process.
 */
public final class ClusterApp implements AutoCloseable {

    /** What the app reads from system properties in {@link #main}. */
    record Settings(Path jobLog, int limit, Duration window) {

        static Settings fromSystemProperties() {
            String jobLog = System.getProperty("job.log");
            return new Settings(jobLog == null ? null : Path.of(jobLog),
                    Integer.getInteger("limit.requests", 5),
                    Duration.ofMillis(Long.getLong("limit.window.ms", 1000)));
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final Chat chat;
    private final LeaderJob job;

    private ClusterApp(Server server, ServerConnector connector, Chat chat, LeaderJob job) {
        this.server = server;
        this.connector = connector;
        this.chat = chat;
        this.job = job;
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        ClusterApp app = start(port, Settings.fromSystemProperties());
        System.out.println("cluster app listening on port " + app.port() + " (worker " + Cluster.workerId() + " of "
                + Cluster.workers() + ", pid " + ProcessHandle.current().pid() + ")");
        app.server.join();
    }

    /** Starts the app on {@code port} (0: any free port, see {@link #port()}). */
    static ClusterApp start(int port, Settings settings) throws Exception {
        Chat chat = new Chat();
        LeaderJob job = new LeaderJob(settings.jobLog());
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        server.addConnector(connector);
        WebSocketUpgradeHandler webSockets = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(1024 * 1024); // above max-message (256k by default): the cluster says what is too big
            container.setIdleTimeout(Duration.ofMinutes(5));
            container.addMapping("/chat", (request, response, callback) -> chat.member());
        });
        webSockets.setHandler(new Routes(new Counter(), new RateLimiter(settings.limit(), settings.window()), job));
        server.setHandler(webSockets);
        server.setStopAtShutdown(true);
        server.start();
        return new ClusterApp(server, connector, chat, job);
    }

    int port() {
        return connector.getLocalPort();
    }

    Chat chat() {
        return chat;
    }

    @Override
    public void close() throws Exception {
        server.stop();
        chat.close();
        job.close();
    }
}
