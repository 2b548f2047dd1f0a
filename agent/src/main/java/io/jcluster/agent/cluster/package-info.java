/**
 * The parent's side of the Cluster API: a hub for the workers' frames (maps, messages, leadership) over a
 * {@link io.jcluster.agent.cluster.Store}, embedded in the parent or in Redis.
 */
package io.jcluster.agent.cluster;
