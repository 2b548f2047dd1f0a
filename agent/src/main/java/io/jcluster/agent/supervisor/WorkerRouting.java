package io.jcluster.agent.supervisor;

import java.net.InetSocketAddress;

/** Where the supervisor reports what its workers serve; the parent wires it to the balancer. */
public interface WorkerRouting {

    /** Worker {@code workerId} serves {@code requested} on 127.0.0.1:{@code actualPort}. */
    void bound(int workerId, InetSocketAddress requested, int actualPort);

    /** Worker {@code workerId} serves nothing any more (it exited or its control channel closed). */
    void gone(int workerId);
}
