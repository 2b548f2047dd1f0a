/**
 * How a jcluster JVM stops, shared by the parent and the standalone balancer: the stop signals (SIGTERM, SIGINT,
 * SIGHUP for a reload, SIGTTIN/SIGTTOU to scale by one) and the graceful stop sequence (first request fixes the exit status; stop accepting; let open
 * connections finish until shutdown-timeout).
 */
package io.jcluster.agent.stop;
