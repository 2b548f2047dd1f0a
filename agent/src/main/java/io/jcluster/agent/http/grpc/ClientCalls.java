package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Upstream;

/**
 * What the calls of one client connection share: the listener's workers, the connection's forwarding headers, the
 * worker connections of its event loop, and the send-timeout it was accepted with. Used on that event loop only.
 *
 * @param upstream    the listener: its workers in rotation, its strategy
 * @param forwarding  the forwarding headers of this client's calls
 * @param workers     the event loop's connections to the workers
 * @param log         the access log's part for this connection; null when access-log is off
 * @param sendTimeout send-timeout in nanoseconds: how long a call's relay may wait for the client to take more
 */
record ClientCalls(Upstream upstream, GrpcForwarding forwarding, WorkerConnections workers, CallLog log,
                   long sendTimeout) {
}
