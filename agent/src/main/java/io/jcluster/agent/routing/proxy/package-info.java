/**
 * balancer=proxy: the parent listens on the app's ports and balances over the workers' private loopback ports.
 * Registers each worker's backends as it reports its binds, admits and withdraws them as the supervisor says, and
 * builds the frontends (tcp or http) that the parent and the standalone balancer share.
 */
package io.jcluster.agent.routing.proxy;
