package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options;
import io.jcluster.agent.config.Strategy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * event-loops: the balancer runs as many event-loop threads as it is given, and relays over all of them (the
 * listener hands accepted connections out round-robin), which is what lets it use a second core (bench/compare.sh's
 * scaling table). Real sockets on 127.0.0.1, NIO transport; the backend is a plain echo server.
 */
class BalancerEventLoopsTest {

    @Test
    void autoIsOnePerTwoProcessors() throws Exception {
        Balancer balancer = Balancer.start(Strategy.ROUND_ROBIN, TcpFrontend.PLAIN, ConnectionLimit.NONE,
                Transport.choose(Options.TransportChoice.NIO), 0);
        try {
            assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), balancer.eventLoops());
        } finally {
            balancer.close();
        }
    }

    @Test
    void relaysOnEveryEventLoopItWasGiven() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket backend = new ServerSocket(0, 50, loopback)) {
            Thread echo = echoServer(backend);
            Balancer balancer = Balancer.start(Strategy.ROUND_ROBIN, TcpFrontend.PLAIN, ConnectionLimit.NONE,
                    Transport.choose(Options.TransportChoice.NIO), 3);
            try {
                assertEquals(3, balancer.eventLoops());
                InetSocketAddress listen = new InetSocketAddress(loopback, freePort(loopback));
                balancer.listen(listen, new Backend(0, new InetSocketAddress(loopback, backend.getLocalPort())));
                List<Socket> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < 6; i++) {
                        Socket client = new Socket(loopback, listen.getPort());
                        client.setSoTimeout(5_000);
                        clients.add(client);
                        client.getOutputStream().write('a' + i);
                        assertEquals('a' + i, client.getInputStream().read(), "relayed through connection " + i);
                    }
                } finally {
                    for (Socket client : clients) {
                        client.close();
                    }
                }
                Set<String> loops = new HashSet<>();
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    if (!before.contains(thread) && thread != echo && thread.getName().contains("EventLoopGroup")) {
                        loops.add(thread.getName());
                    }
                }
                assertEquals(3, loops.size(), "event-loop threads that ran: " + loops);
            } finally {
                balancer.close();
                backend.close();
                echo.join(5_000);
            }
        }
    }

    private static int freePort(InetAddress address) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, address)) {
            return probe.getLocalPort();
        }
    }

    /** Echoes every byte of each accepted connection, one thread per connection, until the server socket closes. */
    private static Thread echoServer(ServerSocket server) {
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket connection = server.accept();
                    connection.setSoTimeout(10_000);
                    Thread copier = new Thread(() -> {
                        try (connection; InputStream in = connection.getInputStream();
                             OutputStream out = connection.getOutputStream()) {
                            int b;
                            while ((b = in.read()) >= 0) {
                                out.write(b);
                            }
                        } catch (IOException ignored) {
                            // the client or the balancer closed it
                        }
                    }, "echo-connection");
                    copier.setDaemon(true);
                    copier.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "echo-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        return acceptor;
    }
}
