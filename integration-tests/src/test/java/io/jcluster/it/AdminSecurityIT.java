package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin endpoint against web pages, DNS rebinding, a runaway scale, a pile of held connections, oversized
 * requests; and where its token may come from. One JDK: nothing here differs between JDKs (the endpoint is jcluster's own
 * Netty code on NIO).
 */
@Timeout(180)
class AdminSecurityIT {

    private static final Jdk JDK = Jdk.jdk17();

    @Test
    void browsersRebindingRunawayScalesAndSlowClientsAreRefused() throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterProcess.hello(JDK, port,
                "processes=1,max-processes=3,admin=127.0.0.1:" + adminPort)) {
            cluster.awaitWorkers(1, STARTUP);
            cluster.awaitAnswering(port, 1, STARTUP);
            String host = "127.0.0.1:" + adminPort;

            // what a web page's fetch(..., {method: 'POST', mode: 'no-cors'}) sends: no preflight, but Origin
            Reply crossSite = send(adminPort, "POST /scale?processes=3 HTTP/1.1\r\nHost: " + host
                    + "\r\nOrigin: https://evil.example\r\nSec-Fetch-Site: cross-site\r\nContent-Length: 0\r\n\r\n");
            assertEquals(403, crossSite.status(), crossSite.text());
            assertTrue(crossSite.body().startsWith("refused: requests from web pages"), crossSite.text());
            // DNS rebinding: the page's own name, now pointing at 127.0.0.1
            Reply rebound = send(adminPort, "POST /scale?processes=3 HTTP/1.1\r\nHost: evil.example:" + adminPort
                    + "\r\nContent-Length: 0\r\n\r\n");
            assertEquals(421, rebound.status(), rebound.text());
            assertTrue(rebound.body().contains("does not name this admin endpoint"), rebound.text());
            // an <img src> GET carries no Origin, only Sec-Fetch-Site
            assertEquals(403, send(adminPort, "GET /metrics HTTP/1.1\r\nHost: " + host
                    + "\r\nSec-Fetch-Site: cross-site\r\n\r\n").status());

            // above max-processes: 400 with the cap, over HTTP and through the CLI
            Reply tooMany = send(adminPort, "POST /scale?processes=4 HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Length: 0\r\n\r\n");
            assertEquals(400, tooMany.status(), tooMany.text());
            assertEquals("processes=4: more than max-processes=3, the most workers this cluster may run; start it with"
                    + " a higher max-processes to run more\n", tooMany.body());
            Admin.CliRun cli = Admin.cli(JDK, "scale", "100000", "--admin", host);
            assertEquals(1, cli.exitStatus(), cli.toString());
            assertEquals("jcluster: scale failed (HTTP 400): processes=100000: more than max-processes=3, the most"
                    + " workers this cluster may run; start it with a higher max-processes to run more\n", cli.stderr());
            ClusterProcess.sleep(500);
            assertEquals(1, cluster.startedWorkers().size(), "no refused request started a worker: "
                    + cluster.describe());

            // the head is limited to 8 KiB, the body to 1 KiB
            Reply bigHead = send(adminPort, "GET /status HTTP/1.1\r\nHost: " + host + "\r\nX-Pad: "
                    + "a".repeat(10_000) + "\r\n\r\n");
            assertEquals(431, bigHead.status(), bigHead.text());
            Reply bigBody = send(adminPort, "POST /reload HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Length: 100000\r\n\r\n");
            assertEquals(413, bigBody.status(), bigBody.text());

            // 16 held connections fill the endpoint, a 17th is closed at once, and the balancer serves all along
            // (the 10 s deadline for a silent or trickling client is AdminRequestDeadlineTest's, on a fake clock)
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 16; i++) {
                    held.add(connect(adminPort));
                }
                ClusterProcess.sleep(300);
                Socket extra = connect(adminPort);
                extra.setSoTimeout(5_000);
                assertEquals(-1, extra.getInputStream().read(), "the 17th connection is closed at once");
                extra.close();
                assertEquals(200, Http.fresh(port, "/").status(), "the balancer is not affected");
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
            cluster.await(() -> {
                try {
                    return send(adminPort, "GET /status HTTP/1.1\r\nHost: " + host + "\r\n\r\n").status() == 200;
                } catch (IOException e) {
                    return false;
                }
            }, "the admin endpoint answering again", Duration.ofSeconds(10));

            // what the CLI, curl and the browser's address bar send still works, and scales up to the cap
            assertEquals(200, send(adminPort, "GET /status HTTP/1.1\r\nHost: localhost:" + adminPort
                    + "\r\nSec-Fetch-Site: none\r\n\r\n").status());
            Admin.CliRun scale = Admin.cli(JDK, "scale", "2", "--admin", host);
            assertEquals(0, scale.exitStatus(), scale + "\n" + cluster.describe());
            cluster.awaitWorkers(2, STARTUP);
        }
    }

    @Test
    void theTokenFromAFileOrTheEnvironmentReachesNoWorker(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String fileToken = "from-a-file-" + System.nanoTime();
        Path file = Files.createFile(dir.resolve("token"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, fileToken + "\n");
        checkToken("processes=1,admin-token-file=" + file, null, fileToken);
        String envToken = "from-the-environment-" + System.nanoTime();
        checkToken("processes=1", envToken, envToken);
    }

    private static void checkToken(String agentArgs, String environmentToken, String token) throws Exception {
        int port = FreePorts.tcp();
        int adminPort = FreePorts.tcp();
        ClusterProcess.Builder launch = ClusterProcess.on(JDK).agentArgs(agentArgs + ",admin=127.0.0.1:" + adminPort)
                .mainClass("samples.hello.HelloServer").args(Integer.toString(port));
        if (environmentToken != null) {
            launch.env("JCLUSTER_ADMIN_TOKEN", environmentToken);
        }
        try (ClusterProcess cluster = launch.start()) {
            long worker = cluster.awaitWorkers(1, STARTUP).get(0);
            cluster.awaitAnswering(port, 1, STARTUP);
            assertEquals(401, new Admin(adminPort, null).get("/status").status());
            assertEquals(401, new Admin(adminPort, "wrong").get("/status").status());
            assertEquals(200, new Admin(adminPort, token).get("/status").status());
            assertTrue(cluster.output().stream().anyMatch(line -> line.contains("(token required)")),
                    cluster.describe());
            String environ = new String(Files.readAllBytes(Path.of("/proc/" + worker + "/environ")),
                    StandardCharsets.UTF_8);
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + worker + "/cmdline")),
                    StandardCharsets.UTF_8);
            assertTrue(environ.contains("JCLUSTER_WORKER_ID="), "read the worker's environment: " + environ);
            assertFalse(environ.contains(token), "the token is not in the worker's environment");
            assertFalse(environ.contains("JCLUSTER_ADMIN_TOKEN"), environ);
            assertFalse(cmdline.contains(token), "nor on its command line");
        }
    }

    record Reply(int status, String text) {
        String body() {
            int blank = text.indexOf("\r\n\r\n");
            return blank < 0 ? "" : text.substring(blank + 4);
        }
    }

    /** Sends {@code request} as it is (Host and all) and reads until the endpoint closes the connection. */
    static Reply send(int port, String request) throws IOException {
        try (Socket socket = connect(port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            int n;
            try {
                while ((n = in.read(buffer)) > 0) {
                    all.write(buffer, 0, n);
                }
            } catch (IOException reset) {
                // the endpoint may close with unread request bytes still in flight (a reset): what came is enough
            }
            String text = all.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.1 ")) {
                throw new IOException("no HTTP response to " + request.lines().findFirst().orElse("") + ": '" + text + "'");
            }
            return new Reply(Integer.parseInt(text.substring(9, 12)), text);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return socket;
    }
}
