/**
 * mode=grpc: HTTP/2 from clients (the h2 package's connection, with all its limits), each stream (one gRPC call)
 * balanced on its own to a worker and relayed frame by frame over pooled HTTP/2 (h2c) connections to the workers'
 * private ports: {@link io.jcluster.agent.http.grpc.GrpcFrontend} per listener, a {@code GrpcCall} per stream,
 * {@code WorkerConnections} per event loop. Deadlines ({@code grpc-timeout}) and the parent's own answers
 * (UNAVAILABLE, DEADLINE_EXCEEDED) are gRPC trailers; a worker gets what is left of the client's deadline; a client
 * that takes none of a call's response for send-timeout has that call reset ({@code CallDeadline}); with
 * {@code access-log=} each call is one line ({@code CallLog}).
 */
package io.jcluster.agent.http.grpc;
