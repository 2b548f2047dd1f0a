package samples.recording;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The reference backend of the differential smuggling test (HttpDesyncIT), run behind jcluster: it reads what
 * jcluster forwards with {@link StrictRequestParser} and records each request in the journal
 * ({@code -Drec.journal=FILE}, see {@link RequestJournal}) exactly as the real stacks' recording modes do. What
 * the strict parser refuses is journaled as {@code BAD <reason> <bytes>} (then 400 and close), a connection that
 * ends inside a request as {@code PARTIAL <reason> <bytes>}: either means jcluster forwarded something whose end a
 * strict reader cannot find where jcluster found it. Usage: {@code java -Drec.journal=FILE -cp ... PORT}.
 */
public final class ReferenceOracle {

    private ReferenceOracle() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        RequestJournal journal = RequestJournal.fromSystemProperty();
        if (journal == null) {
            throw new IllegalArgumentException("give -D" + RequestJournal.PROPERTY + "=FILE");
        }
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(port));
        System.out.println("reference oracle listening on port " + port);
        while (true) {
            Socket socket = server.accept();
            Thread thread = new Thread(() -> serve(socket, journal), "oracle-" + socket.getPort());
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static void serve(Socket socket, RequestJournal journal) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            StrictRequestParser parser = new StrictRequestParser(in);
            while (true) {
                StrictRequestParser.Request request;
                try {
                    request = parser.next();
                } catch (StrictRequestParser.Malformed e) {
                    journal.note("BAD " + RequestJournal.escape(e.getMessage()) + " "
                            + RequestJournal.escape(StrictRequestParser.ascii(parser.consumed())));
                    out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return;
                } catch (StrictRequestParser.Truncated e) {
                    journal.note("PARTIAL " + RequestJournal.escape(e.getMessage()) + " "
                            + RequestJournal.escape(StrictRequestParser.ascii(parser.consumed())));
                    return;
                }
                if (request == null) {
                    return;
                }
                String line = journal.record(request.method(), request.target(), request.body(), socket.getPort(),
                        request.header("X-Forwarded-For"));
                byte[] body = (line + "\n").getBytes(StandardCharsets.ISO_8859_1);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
            }
        } catch (IOException gone) {
            // the balancer closed the connection
        }
    }
}
