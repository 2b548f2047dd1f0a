package samples.blocking;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The oldest kind of Java server: a blocking {@link ServerSocket} accept loop, a thread per connection, one HTTP
 * request per connection. {@code java -cp samples.jar samples.blocking.BlockingServer PORT}. GET / answers with
 * this process's pid (also in X-Pid); GET /slow?ms=N answers after N ms; GET /peer answers with the accepted
 * socket's remote address and port.
 */
public final class BlockingServer {

    private BlockingServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        long pid = ProcessHandle.current().pid();
        ServerSocket server = new ServerSocket(port);
        System.out.println("blocking server listening on " + server.getLocalSocketAddress()
                + " (port " + server.getLocalPort() + ")");
        while (true) {
            Socket client = server.accept();
            new Thread(() -> serve(client, pid), "client").start();
        }
    }

    private static void serve(Socket client, long pid) {
        try (client) {
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
            String requestLine = in.readLine();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // headers are not needed
            }
            String path = requestLine == null ? "/" : requestLine.split(" ")[1];
            String body = "blocking pid " + pid + "\n";
            if (path.startsWith("/slow")) {
                int at = path.indexOf("ms=");
                Thread.sleep(at < 0 ? 1000 : Long.parseLong(path.substring(at + 3)));
                body = "slow done by pid " + pid + "\n";
            } else if (path.equals("/peer")) {
                body = peer(client);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = client.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nX-Pid: " + pid + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                    + bytes.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the client went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the client's address as the app sees it (real client address tests) ----

    /** {@code peer <address> <port>}: the accepted socket's remote end. */
    private static String peer(Socket client) {
        return "peer " + client.getInetAddress().getHostAddress() + " " + client.getPort() + "\n";
    }
}
