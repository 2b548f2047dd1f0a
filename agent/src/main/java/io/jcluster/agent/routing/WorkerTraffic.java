package io.jcluster.agent.routing;

/**
 * One worker's share of the traffic, as far as the parent sees it: connections open now and in total, requests
 * (http mode), bytes each way, and the request latency histogram (cumulative counts per bound of
 * {@code LatencyHistogram.boundsSeconds()}, then +Inf).
 */
public record WorkerTraffic(long openConnections, long connectionsTotal, long requests, long bytesFromClients,
                            long bytesToClients, long[] latencyBuckets, long latencySumNanos) {
}
