package io.jcluster.agent.worker;

import io.jcluster.agent.config.Options;
import io.jcluster.agent.control.ControlClient;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.control.WorkerEnvironment;
import io.jcluster.agent.worker.cluster.WorkerCluster;
import io.jcluster.agent.worker.sessions.WorkerSessions;
import io.jcluster.bootstrap.BindRewrite;
import io.jcluster.bootstrap.ClientAddressTable;
import io.jcluster.bootstrap.PeerRewrite;
import io.jcluster.bootstrap.SharedSessions;
import io.jcluster.spi.ClusterBackends;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Everything a worker does before the app's main runs: report to the parent, rewrite binds, install the Cluster API
 * backend, and make sure the worker never outlives its parent. Loads no Netty: workers carry as little of jcluster as possible.
 */
public final class WorkerAgent {

    /** How long the app's shutdown hooks may run once the parent is gone, before the worker halts. */
    private static final long ORPHAN_EXIT_GRACE_MILLIS = 1_500;

    private WorkerAgent() {
    }

    /** Connects to the parent and installs the bind policy; the caller installs the bind hooks right after. */
    public static void start(Options options, WorkerEnvironment identity) {
        System.setProperty(WorkerEnvironment.WORKER_ID_PROPERTY, Integer.toString(identity.workerId()));
        System.setProperty(WorkerEnvironment.WORKERS_PROPERTY, Integer.toString(identity.workers()));
        ControlClient control;
        try {
            control = ControlClient.connect(identity.controlSocket(), identity.workerId(), ProcessHandle.current().pid(),
                    identity.secret());
        } catch (IOException e) {
            System.err.println("[jcluster] worker " + identity.workerId() + ": cannot reach the parent at "
                    + identity.controlSocket() + " (" + e.getMessage() + "); exiting");
            Runtime.getRuntime().halt(1);
            return;
        }
        BindReporter binds = new BindReporter(options, control, identity.workerId());
        WorkerCluster cluster = new WorkerCluster(identity.workerId(), identity.workers(),
                frame -> control.send(new ControlMessage.Cluster(frame)), options.store().location().uri(),
                options.store().timeout(), options.store().maxMessage(), System.err::println);
        control.listen(message -> {
            if (message instanceof ControlMessage.Cluster frame) {
                cluster.received(frame.frame());
            } else if (message instanceof ControlMessage.DumpRequest) {
                ThreadDump.sendTo(control);
            } else if (message instanceof ControlMessage.Unlisten) {
                binds.closeSharedListeners();
            }
        }, () -> {
            cluster.parentGone();
            exitOrphaned(identity.workerId());
        });
        // before the app's main: its first call on io.jcluster.Cluster already finds the cluster
        ClusterBackends.install(cluster);
        WorkerSessions sessions = null;
        if (options.store().sharedSessions()) {
            sessions = new WorkerSessions(cluster.map(WorkerSessions.MAP), options.store().maxMessage(),
                    line -> System.err.println("[jcluster] worker " + identity.workerId() + ": " + line));
            SharedSessions.install(sessions);
        }
        ResourceReporter.start(control, cluster, sessions);
        TerminalInterrupt.ignore();
        // the parent publishes its clients' addresses there (not with balancer=kernel: the peers are real already)
        PeerRewrite.install(ClientAddressTable.open(identity.controlSocket().getParent()));
        BindRewrite.install(binds);
    }

    private static void exitOrphaned(int workerId) {
        System.err.println("[jcluster] worker " + workerId + ": the parent is gone; exiting");
        Thread halt = new Thread(() -> {
            sleep(ORPHAN_EXIT_GRACE_MILLIS);
            Runtime.getRuntime().halt(1);
        }, "jcluster-orphan-halt");
        halt.setDaemon(true);
        halt.start();
        // System.exit runs the app's shutdown hooks; the halt above bounds how long they may take
        new Thread(() -> System.exit(1), "jcluster-orphan-exit").start();
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
