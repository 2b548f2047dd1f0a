/**
 * The balancer JVM's own memory. The parent starts with the app's JVM flags and the standalone balancer with none;
 * on JDK 22+ both restart once in the same process with flags of their own ({@link io.jcluster.agent.memory.Execve},
 * {@link io.jcluster.agent.memory.BalancerJvmFlags}; the parent through
 * {@link io.jcluster.agent.memory.ParentRestart}). What is left to choose at run time (JDK 17-21, or with the
 * restart off) is chosen here too: heap ratios through manageable flags, and glibc's freed memory given back every
 * second where the JVM does not trim it itself.
 */
package io.jcluster.agent.memory;
