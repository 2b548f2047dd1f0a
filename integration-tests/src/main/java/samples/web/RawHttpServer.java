package samples.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 server written on a bare ServerSocket, to answer with framings real servers rarely produce (a body
 * ended by closing, bare-LF line ends, an interim 103, a broken status line) and to echo the exact request head it
 * received. Keep-alive: requests on one connection are answered in turn until the connection or a response ends it.
 *
 * <pre>
 *   /head            200, the request head exactly as received (Content-Length)
 *   /close-delimited 200 without Content-Length or chunks: the body ends when the connection closes
 *   /bare-lf         200 with LF-only line ends
 *   /early-hints     103 Early Hints, then 200
 *   /named-hop       200 whose Connection header names X-Private (hop-by-hop)
 *   /malformed       a status line that is not one, then close
 *   anything else    200 "raw server pid N"
 * </pre>
 */
public final class RawHttpServer {

    private RawHttpServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        long pid = ProcessHandle.current().pid();
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(port));
        System.out.println("raw http server listening on port " + port);
        while (true) {
            Socket socket = server.accept();
            Thread thread = new Thread(() -> serve(socket, pid));
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static void serve(Socket socket, long pid) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                String pidHeader = "X-Pid: " + pid + "\r\n";
                switch (path) {
                    case "/head":
                        write(out, "HTTP/1.1 200 OK\r\n" + pidHeader + "Content-Length: " + head.length() + "\r\n\r\n" + head);
                        break;
                    case "/close-delimited":
                        write(out, "HTTP/1.1 200 OK\r\n" + pidHeader + "Content-Type: text/plain\r\n\r\nline 0\n");
                        write(out, "line 1\nline 2\n");
                        return;
                    case "/bare-lf":
                        write(out, "HTTP/1.1 200 OK\n" + "X-Pid: " + pid + "\nContent-Length: 3\nX-A: b\n\nabc");
                        break;
                    case "/early-hints":
                        write(out, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n");
                        write(out, "HTTP/1.1 200 OK\r\n" + pidHeader + "Content-Length: 2\r\n\r\nok");
                        break;
                    case "/named-hop":
                        write(out, "HTTP/1.1 200 OK\r\n" + pidHeader + "Connection: X-Private\r\nX-Private: secret\r\n"
                                + "X-Public: shown\r\nContent-Length: 2\r\n\r\nok");
                        break;
                    case "/malformed":
                        write(out, "HTTP/1.1 two hundred\r\n\r\n");
                        return;
                    default:
                        String body = "raw server pid " + pid + "\n";
                        write(out, "HTTP/1.1 200 OK\r\n" + pidHeader + "Content-Length: " + body.length() + "\r\n\r\n" + body);
                }
            }
        } catch (IOException gone) {
            // the client (the balancer) closed the connection
        }
    }

    /** The request head up to and including its empty line, or null at the end of the connection. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
