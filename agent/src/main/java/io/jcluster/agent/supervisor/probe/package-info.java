/**
 * Asking a worker whether it serves, behind one {@link io.jcluster.agent.supervisor.probe.Probe}: a tcp connect or an
 * HTTP GET to its private ports, or /proc's listening sockets (balancer=kernel). The routing mode picks the probe; a
 * probe is given a pid and ports and knows nothing of the supervisor.
 */
package io.jcluster.agent.supervisor.probe;
