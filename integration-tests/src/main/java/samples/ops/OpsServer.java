package samples.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * A test app for operations: health, deadlock, memory growth, a broken start.
 *
 * <pre>
 *   java -javaagent:jcluster.jar=processes=2,health=/health -cp samples.jar samples.ops.OpsServer 8080
 *   GET /            "ops worker ID pid PID" (X-Pid header)
 *   GET /health      200 "ok"
 *   GET /hang        answers, then deadlocks the server's dispatcher thread (the one that accepts connections)
 *                    with a handler thread: every later request on this worker stays unanswered
 *   GET /grow?mb=N   keeps N more MiB of native memory, touched (resident), until the process exits
 * </pre>
 * With the system property {@code ops.fail=true} or a file named by {@code ops.failIfExists} present, it exits
 * with status 3 before binding: a broken deploy. With a file named by {@code ops.stallIfExists} present, it never
 * binds at all: a deploy that hangs at start. With {@code ops.appendTo=FILE} it opens FILE for append and keeps it
 * open (every worker the same file, as a logger without the worker's id in its file name does). A shutdown hook
 * prints "ops worker ID pid PID: shutdown hook ran".
 */
public final class OpsServer {

    private static final long PID = ProcessHandle.current().pid();
    private static final String WORKER_ID = System.getenv().getOrDefault("JCLUSTER_WORKER_ID", "standalone");
    private static final Object DISPATCH_LOCK = new Object();
    private static final Object HANDLER_LOCK = new Object();
    private static final List<ByteBuffer> KEPT = new ArrayList<>();
    /** The file of ops.appendTo, open for the process's life. */
    private static final List<OutputStream> APPENDED = new ArrayList<>();
    private static volatile boolean hanging;
    private static final CountDownLatch DISPATCHER_STUCK = new CountDownLatch(1);

    private OpsServer() {
    }

    public static void main(String[] args) throws IOException {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        String failIfExists = System.getProperty("ops.failIfExists");
        if (Boolean.getBoolean("ops.fail") || (failIfExists != null && new java.io.File(failIfExists).exists())) {
            System.err.println("ops server: broken build, exiting before binding");
            System.exit(3);
        }
        String stallIfExists = System.getProperty("ops.stallIfExists");
        if (stallIfExists != null && new java.io.File(stallIfExists).exists()) {
            System.err.println("ops server: stalled before binding");
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                return;
            }
        }
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        ExecutorService handlers = Executors.newCachedThreadPool();
        // the server's dispatcher thread (which accepts connections) hands each exchange to this executor
        Executor dispatch = command -> {
            synchronized (DISPATCH_LOCK) {
                if (hanging) {
                    DISPATCHER_STUCK.countDown();
                    synchronized (HANDLER_LOCK) {
                        handlers.execute(command); // never reached: the handler thread holds HANDLER_LOCK
                    }
                }
                handlers.execute(command);
            }
        };
        server.setExecutor(dispatch);
        server.createContext("/", exchange -> {
            if (!exchange.getRequestURI().getPath().equals("/")) {
                respond(exchange, 404, "not found\n");
                return;
            }
            respond(exchange, 200, "ops worker " + WORKER_ID + " pid " + PID + "\n");
        });
        server.createContext("/health", exchange -> respond(exchange, 200, "ok\n"));
        server.createContext("/hang", exchange -> {
            respond(exchange, 200, "hanging pid " + PID + "\n");
            Thread deadlock = new Thread(OpsServer::holdHandlerLockForever, "ops-hang");
            deadlock.start();
        });
        server.createContext("/grow", exchange -> {
            long mb = queryLong(exchange, "mb", 100);
            long total;
            synchronized (KEPT) {
                for (long i = 0; i < mb; i++) {
                    ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
                    for (int offset = 0; offset < chunk.capacity(); offset += 4096) {
                        chunk.put(offset, (byte) 1); // touch every page: resident, not just reserved
                    }
                    KEPT.add(chunk);
                }
                total = KEPT.size();
            }
            respond(exchange, 200, "pid " + PID + " keeps " + total + " MiB\n");
        });
        String appendTo = System.getProperty("ops.appendTo");
        if (appendTo != null) {
            // as a logger configured with one file name for every worker does: opened for append, kept open
            java.io.FileOutputStream log = new java.io.FileOutputStream(appendTo, true);
            log.write(("ops worker " + WORKER_ID + " pid " + PID + " started\n").getBytes(StandardCharsets.UTF_8));
            log.flush();
            APPENDED.add(log);
        }
        // a line written while the JVM stops, as Tomcat writes "Stopping service": the parent relays it too
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("ops worker " + WORKER_ID + " pid "
                + PID + ": shutdown hook ran"), "ops-shutdown"));
        server.start();
        System.out.println("ops server listening on port " + port);
    }

    /** Takes HANDLER_LOCK, lets the dispatcher take DISPATCH_LOCK, then wants it: a lock-order deadlock. */
    private static void holdHandlerLockForever() {
        synchronized (HANDLER_LOCK) {
            hanging = true;
            try {
                DISPATCHER_STUCK.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (DISPATCH_LOCK) {
                System.out.println("unreachable");
            }
        }
    }

    private static long queryLong(HttpExchange exchange, String name, long fallback) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return fallback;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                return Long.parseLong(pair.substring(name.length() + 1));
            }
        }
        return fallback;
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Pid", Long.toString(PID));
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
