/**
 * The parent's workers as processes. {@link io.jcluster.agent.supervisor.Supervisor} is a facade over small parts:
 * launching (a {@link io.jcluster.agent.supervisor.ProcessLauncher}; the real one forks), crash restarts with
 * back-off, the health monitor and memory watchdog, process stopping (SIGTERM, then SIGKILL), and one
 * {@link io.jcluster.agent.supervisor.OperationQueue}: the only path that replaces a worker (reload, scale, restart,
 * health, memory), one at a time, with typed results. Time comes from a {@link io.jcluster.agent.supervisor.Scheduler}
 * so tests step a fake clock; shared state is marked {@link io.jcluster.agent.supervisor.GuardedBy} and a test
 * checks every field. It knows processes, never bytes: no Netty, no balancer; routing is told through
 * {@link io.jcluster.agent.supervisor.WorkerRouting}.
 */
package io.jcluster.agent.supervisor;
