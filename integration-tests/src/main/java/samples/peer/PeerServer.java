package samples.peer;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Answers each connection with the peer address the app sees, one line "{@code <ip> <port> <pid>}", on every JDK
 * server API at once: {@code --http P} (JDK HttpServer, the body of GET /), {@code --socket P} (ServerSocket#accept,
 * Socket#getInetAddress/getPort), {@code --nio P} (ServerSocketChannel#accept, SocketChannel#getRemoteAddress and
 * its socket() adaptor, which must agree), {@code --nio2 P} (AsynchronousServerSocketChannel#accept,
 * getRemoteAddress). Each raw listener writes its line and closes.
 */
public final class PeerServer {

    private static final long PID = ProcessHandle.current().pid();

    public static void main(String[] args) throws Exception {
        for (int i = 0; i + 1 < args.length; i += 2) {
            int port = Integer.parseInt(args[i + 1]);
            switch (args[i]) {
                case "--http" -> http(port);
                case "--socket" -> socket(port);
                case "--nio" -> nio(port);
                case "--nio2" -> nio2(port);
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        Thread.currentThread().join();
    }

    static String line(InetAddress address, int port) {
        return address.getHostAddress() + " " + port + " " + PID + "\n";
    }

    private static void http(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 50);
        server.createContext("/", exchange -> {
            InetSocketAddress remote = exchange.getRemoteAddress();
            byte[] body = line(remote.getAddress(), remote.getPort()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    private static void socket(int port) throws IOException {
        ServerSocket server = new ServerSocket(port, 50);
        daemon(() -> {
            while (true) {
                try (Socket accepted = server.accept()) {
                    InetSocketAddress remote = (InetSocketAddress) accepted.getRemoteSocketAddress();
                    String text = remote.getAddress().equals(accepted.getInetAddress())
                            && remote.getPort() == accepted.getPort()
                            ? line(accepted.getInetAddress(), accepted.getPort())
                            : "disagree " + remote + " " + accepted.getInetAddress() + ":" + accepted.getPort() + "\n";
                    accepted.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    System.err.println("socket: " + e);
                }
            }
        });
    }

    private static void nio(int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(port), 50);
        daemon(() -> {
            while (true) {
                try (SocketChannel accepted = server.accept()) {
                    InetSocketAddress remote = (InetSocketAddress) accepted.getRemoteAddress();
                    Socket adaptor = accepted.socket();
                    String text = remote.getAddress().equals(adaptor.getInetAddress()) && remote.getPort() == adaptor.getPort()
                            ? line(remote.getAddress(), remote.getPort())
                            : "disagree " + remote + " " + adaptor.getInetAddress() + ":" + adaptor.getPort() + "\n";
                    accepted.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    System.err.println("nio: " + e);
                }
            }
        });
    }

    private static void nio2(int port) throws IOException {
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open();
        server.bind(new InetSocketAddress(port), 50);
        daemon(() -> {
            while (true) {
                try (AsynchronousSocketChannel accepted = server.accept().get()) {
                    SocketAddress remote = accepted.getRemoteAddress();
                    InetSocketAddress inet = (InetSocketAddress) remote;
                    accepted.write(ByteBuffer.wrap(line(inet.getAddress(), inet.getPort())
                            .getBytes(StandardCharsets.US_ASCII))).get();
                } catch (Exception e) {
                    System.err.println("nio2: " + e);
                }
            }
        });
    }

    private interface Loop {
        void run() throws Exception;
    }

    private static void daemon(Loop loop) {
        Thread thread = new Thread(() -> {
            try {
                loop.run();
            } catch (Exception e) {
                System.err.println(e);
            }
        }, "peer-server");
        thread.setDaemon(true);
        thread.start();
    }
}
