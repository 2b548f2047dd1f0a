/**
 * The balancer JVM's own memory: the parent inherits the app's JVM flags (and the standalone balancer is started
 * with none), so what can still be chosen is chosen here, at run time, before the balancer's Netty loads: heap
 * ratios through manageable flags, Netty's allocator sized for a proxy.
 */
package io.jcluster.agent.memory;
