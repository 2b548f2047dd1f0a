/**
 * http mode's shared response cache ({@code cache=SIZE}), RFC 9111 for a shared cache: what may be stored and
 * reused ({@link io.jcluster.agent.http.cache.CachePolicy} over {@link io.jcluster.agent.http.cache.CacheRequest} and
 * {@link io.jcluster.agent.http.cache.ResponseFacts}), the store itself, bounded in bytes
 * ({@link io.jcluster.agent.http.cache.ResponseCache} of {@link io.jcluster.agent.http.cache.StoredResponse}), and
 * request coalescing ({@link io.jcluster.agent.http.cache.PendingFill}). The proxy (http.proxy) asks it; it knows no
 * exchange, no worker and no event loop.
 */
package io.jcluster.agent.http.cache;
