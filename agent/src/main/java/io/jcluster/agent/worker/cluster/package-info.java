/**
 * The Cluster API in a worker: {@link io.jcluster.agent.worker.cluster.WorkerCluster} turns the app's calls on
 * {@code io.jcluster.Cluster} into frames to the parent over the worker's control connection, waits for their
 * replies, and runs the app's subscribers and leadership callbacks on threads of its own. Plain JDK code: the worker
 * loads no Netty, Caffeine, JCTools or Redis client (the app may bring its own; the parent hosts the store).
 */
package io.jcluster.agent.worker.cluster;
