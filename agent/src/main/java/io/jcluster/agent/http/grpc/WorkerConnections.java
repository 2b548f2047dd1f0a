package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.Upstream;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event loop's HTTP/2 connections to the workers, shared by the calls of every client connection on that loop
 * (a worker connection lives on the loop of the calls it carries: no lock, no hand-off). A call takes the first
 * connection to its worker with room for one more stream; a new connection is opened when none has (or none takes
 * new streams: GOAWAY). One instance per event loop ({@link #ofThisLoop}); tests make their own.
 */
final class WorkerConnections {

    private static final FastThreadLocal<WorkerConnections> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected WorkerConnections initialValue() {
            return new WorkerConnections(WorkerConnection.MAX_STREAMS);
        }
    };

    private final Map<Backend, List<WorkerConnection>> byWorker = new IdentityHashMap<>();
    private final int maxStreams;

    /** @param maxStreams streams one connection carries at most (fewer if the worker's SETTINGS say so) */
    WorkerConnections(int maxStreams) {
        this.maxStreams = maxStreams;
    }

    /** The connections of the event loop that calls. */
    static WorkerConnections ofThisLoop() {
        return PER_LOOP.get();
    }

    /** Opens a stream to {@code backend} for {@code call} (see {@link GrpcCall#workerOpened}); call on the loop. */
    void open(Upstream upstream, Backend backend, GrpcCall call, EventLoop loop) {
        List<WorkerConnection> connections = byWorker.get(backend);
        if (connections == null) {
            connections = new ArrayList<>(2);
            byWorker.put(backend, connections);
        }
        for (int i = 0; i < connections.size(); i++) {
            WorkerConnection connection = connections.get(i);
            if (connection.hasRoom()) {
                connection.open(call);
                return;
            }
        }
        WorkerConnection connection = new WorkerConnection(this, upstream, backend, maxStreams);
        connections.add(connection);
        connection.connect(loop);
        connection.open(call);
    }

    /** {@code connection} takes no new streams (GOAWAY, closed, or its connect failed). */
    void retire(WorkerConnection connection) {
        List<WorkerConnection> connections = byWorker.get(connection.backend());
        if (connections != null && connections.remove(connection) && connections.isEmpty()) {
            byWorker.remove(connection.backend()); // a worker that is gone leaves nothing behind
        }
    }

    /** Connections to {@code backend} that take new streams (tests). */
    int connections(Backend backend) {
        List<WorkerConnection> connections = byWorker.get(backend);
        return connections == null ? 0 : connections.size();
    }
}
