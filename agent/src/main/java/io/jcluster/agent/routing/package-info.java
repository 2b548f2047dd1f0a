/**
 * How client connections reach the workers (the {@code balancer} option), as one interface,
 * {@link io.jcluster.agent.routing.RoutingMode}, with two equal implementations in {@code routing.proxy} and
 * {@code routing.kernel}. Only the entry points' wiring knows the implementations; nothing checks which mode runs.
 */
package io.jcluster.agent.routing;
