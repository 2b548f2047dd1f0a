/**
 * Every change the agent makes to the JVM's classes, registered in one place: the launcher redirect that keeps the
 * app's main from running in the parent, the bind and accept hooks installed in each worker, and the hooks for Netty's
 * native transports. Only this package and {@code *Advice} classes may touch Byte Buddy (ArchitectureTest checks it).
 */
package io.jcluster.agent.instrument;
