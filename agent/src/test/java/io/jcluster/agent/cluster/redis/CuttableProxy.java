package io.jcluster.agent.cluster.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on 127.0.0.1 in front of a server, whose connections a test can cut (both sides closed) while the
 * server itself stays up: a network failure between the parent and Redis, as opposed to Redis going down.
 */
final class CuttableProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean paused;

    CuttableProxy(int target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Holds what clients send (not what the server answers) until {@link #resume} or {@link #cut}. */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    /**
     * Closes every connection that goes through it now, in order (FIN, not a reset: the client reads an end of
     * stream, as when a network path or a server closes cleanly); what it held is lost; new ones are relayed again.
     */
    void cut() {
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // closed already by its relay
            }
        }
        open.clear();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                open.add(client);
                open.add(server);
                relay(client, server, true);
                relay(server, client, false);
            } catch (IOException e) {
                // closed, or the server refused: the client sees its connection close
            }
        }
    }

    private void relay(Socket from, Socket to, boolean pausable) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    while (pausable && paused && !from.isClosed()) {
                        Thread.sleep(5);
                    }
                    if (from.isClosed()) {
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "proxy-relay");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
    }
}
