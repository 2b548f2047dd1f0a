/**
 * {@code java -jar jcluster.jar balance}: the balancer alone, in front of backends the user names. Its own wiring
 * (arguments, backend probes, the shared frontends and graceful stop); it runs no workers and knows no supervisor.
 */
package io.jcluster.agent.standalone;
