/**
 * balancer=kernel (Linux): no proxy. Every worker binds the app's port itself with SO_REUSEPORT and the kernel
 * spreads the connections; this mode tells the workers so, probes them through /proc, and takes a worker out of
 * rotation by having it close its shared listeners. Nothing of the proxy or of http mode is used here.
 */
package io.jcluster.agent.routing.kernel;
