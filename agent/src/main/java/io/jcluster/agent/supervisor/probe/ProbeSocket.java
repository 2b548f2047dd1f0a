package io.jcluster.agent.supervisor.probe;

import io.jcluster.bootstrap.ClientAddressTable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A probe's connection to a worker's private port, marked in the {@link ClientAddressTable} as the parent's own
 * connection, so that the worker neither takes it for a client's nor counts it as a client whose address went
 * missing.
 */
final class ProbeSocket implements AutoCloseable {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final Socket socket = new Socket();
    private final ClientAddressTable table;
    private int claimed = -1;

    private ProbeSocket(ClientAddressTable table) {
        this.table = table;
    }

    /** Connects to 127.0.0.1:{@code port} within {@code timeoutMillis}; marked in {@code table} unless null. */
    static ProbeSocket connect(int port, int timeoutMillis, ClientAddressTable table) throws IOException {
        ProbeSocket probe = new ProbeSocket(table);
        try {
            probe.markAsParent(port);
            probe.socket.connect(new InetSocketAddress(LOOPBACK, port), timeoutMillis);
            return probe;
        } catch (IOException | RuntimeException e) {
            probe.close();
            throw e;
        }
    }

    /**
     * Binds the socket to a port claimed in the table and marks it as the parent's own connection to
     * {@code workerPort}; without a table, or when no port could be bound, the probe goes out unmarked (and the
     * worker counts it as a client it could not find).
     */
    private void markAsParent(int workerPort) throws IOException {
        if (table == null) {
            return;
        }
        socket.setReuseAddress(true);
        for (int attempt = 0; attempt < 8; attempt++) {
            int port = table.claim();
            if (port < 0) {
                return;
            }
            try {
                socket.bind(new InetSocketAddress(LOOPBACK, port));
            } catch (IOException e) {
                table.release(port); // another process holds that port
                continue;
            }
            table.publishParent(port, workerPort);
            claimed = port;
            return;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do about it
        }
        if (claimed >= 0) {
            table.release(claimed);
        }
    }
}
