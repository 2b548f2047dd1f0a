import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Both ends of bench/idle-connections.sh, as one single-file program (run with {@code java IdleConnections.java}).
 *
 * <pre>
 *   hold PORT                  a server (the app the agent clusters) that accepts connections on PORT and keeps
 *                              every one open, silent, until killed
 *   open PORT N SECONDS        a client: opens N connections to 127.0.0.1:PORT, prints "open N", keeps them open
 *                              SECONDS seconds (bounded), then closes them and exits
 * </pre>
 */
public final class IdleConnections {

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("hold")) {
            hold(Integer.parseInt(args[1]));
        } else if (args.length == 4 && args[0].equals("open")) {
            open(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            System.err.println("usage: java IdleConnections.java hold PORT | open PORT N SECONDS");
            System.exit(2);
        }
    }

    private static void hold(int port) throws IOException {
        List<SocketChannel> held = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(port), 4096);
            System.out.println("holding connections on port " + port);
            while (true) {
                held.add(server.accept());
            }
        }
    }

    private static void open(int port, int count, int seconds) throws Exception {
        List<SocketChannel> open = new ArrayList<>(count);
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
        long started = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                open.add(SocketChannel.open(target));
            }
            System.out.printf("open %d in %d ms%n", open.size(), (System.nanoTime() - started) / 1_000_000);
            Thread.sleep(seconds * 1000L);
            int alive = 0;
            for (SocketChannel channel : open) {
                channel.configureBlocking(false);
                // a connection the proxy closed reads -1 (end of stream); an idle open one reads 0
                if (channel.read(java.nio.ByteBuffer.allocate(1)) == 0) {
                    alive++;
                }
            }
            System.out.println("still open " + alive);
        } finally {
            for (SocketChannel channel : open) {
                channel.close();
            }
        }
    }
}
