package io.jcluster.agent.supervisor.probe;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;

/**
 * balancer=kernel: every worker listens on the same port, and a connect would reach whichever one the kernel picks,
 * so this asks /proc whether this process still holds a listening socket on each port it bound (the same thing a
 * tcp probe shows).
 */
final class ListeningProbe implements Probe {

    @Override
    public String check(long pid, Map<InetSocketAddress, Integer> bound, int timeoutMillis) {
        return ProcSockets.notListening(pid, Set.copyOf(bound.values()));
    }
}
