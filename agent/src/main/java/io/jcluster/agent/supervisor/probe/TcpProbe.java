package io.jcluster.agent.supervisor.probe;

import io.jcluster.bootstrap.ClientAddressTable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.net.SocketTimeoutException;

/**
 * health=tcp: a connect to each port the worker bound must succeed, which shows the process lives and listens (the
 * kernel completes a connect even while the app's accept loop is stuck, so a deadlocked app needs the HTTP probe).
 */
final class TcpProbe implements Probe {

    private volatile ClientAddressTable table;

    @Override
    public void markIn(ClientAddressTable table) {
        this.table = table;
    }

    @Override
    public String check(long pid, Map<InetSocketAddress, Integer> bound, int timeoutMillis) {
        for (int port : bound.values()) {
            String failure = connect(port, timeoutMillis);
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    private String connect(int port, int timeoutMillis) {
        try (ProbeSocket ignored = ProbeSocket.connect(port, timeoutMillis, table)) {
            return null;
        } catch (SocketTimeoutException e) {
            return "connect to 127.0.0.1:" + port + " timed out after " + timeoutMillis + "ms";
        } catch (IOException e) {
            return "connect to 127.0.0.1:" + port + " failed (" + e.getMessage() + ")";
        }
    }
}
