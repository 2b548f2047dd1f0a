/**
 * http mode's reverse proxy, split by direction and side: a thin Netty handler feeds one recycled
 * {@link io.jcluster.agent.http.proxy.Exchange} per client connection; requests are received and forwarded, a worker is
 * chosen (sticky selection wraps the balancer's strategy) and reached with a retry policy, responses are received and
 * their bodies relayed (pass-through, re-chunked, de-chunked); upgrades are handed off to the byte relay, deadlines are
 * one timer. Also forwarding headers, TLS and worker connection pools (one per event loop). It knows backends, never
 * processes; HTTP syntax comes from {@code http.wire}.
 */
package io.jcluster.agent.http.proxy;
