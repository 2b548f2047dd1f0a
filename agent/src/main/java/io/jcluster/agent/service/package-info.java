/**
 * What the parent tells those that manage it: systemd ({@code Type=notify}: READY=1, RELOADING=1, STOPPING=1, STATUS=
 * and WATCHDOG=1 over {@code NOTIFY_SOCKET}), the pid file ({@code pid-file=}), and load balancers and Kubernetes
 * (whether the cluster is ready, for the admin endpoint's {@code GET /ready}). It learns what happens from the
 * supervisor's routing callbacks ({@link io.jcluster.agent.service.ServiceState}), so that nothing in the supervisor
 * knows about any service manager.
 */
package io.jcluster.agent.service;
