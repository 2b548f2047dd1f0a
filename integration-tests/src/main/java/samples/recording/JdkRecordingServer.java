package samples.recording;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The JDK HTTP server in recording mode (HttpDesyncIT's JDK stack). Its own main rather than a mode of the demo
 * app: HelloServer must stay one self-contained source file (LaunchModesIT runs it as a single-file program).
 * Prints the demo's startup line, so the stack's readiness pattern holds.
 */
public final class JdkRecordingServer {

    private JdkRecordingServer() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        RequestJournal journal = RequestJournal.fromSystemProperty();
        if (journal == null) {
            throw new IllegalStateException("give -Drec.journal=FILE: this server only records");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", new JdkRecordingHandler(journal));
        server.start();
        System.out.println("hello server listening on port " + port);
    }
}
