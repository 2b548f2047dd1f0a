/**
 * The balancer JVM's own memory: the parent inherits the app's JVM flags (and the standalone balancer is started
 * with none), so what can still be chosen is chosen here, at run time: heap ratios through manageable flags, and
 * glibc's freed memory given back every second where the JVM does not trim it itself.
 */
package io.jcluster.agent.memory;
