package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Acceptance 1 of the Cluster API: the sample chat (WebSockets on Jetty 12, {@code Cluster.publish/subscribe}) on 2
 * workers, 4 clients pinned two per worker, 1,000 messages from the 4 senders at once: every client receives all of
 * them, each sender's in order — also those sent by clients of the other worker.
 *
 * <p>Pinning: the app greets each socket with {@code welcome worker=I pid=P} from the worker that holds it, and a
 * client reconnects until the pid is the one it wants. That works in both modes because an upgraded WebSocket stays
 * on the worker that accepted the upgrade (tcp mode: the connection is relayed to one worker; http mode: after the
 * 101 the connection becomes a tunnel to that worker). A GET /whoami would not do: in http mode every request on a
 * connection is balanced anew, so a /whoami answer says nothing about where the upgrade request goes.
 */
@Timeout(240)
class ClusterChatIT {

    static final int SENDERS = 4;
    static final int MESSAGES = 1000;

    @ParameterizedTest(name = "mode={0}")
    @ValueSource(strings = {"tcp", "http"})
    void everyClientOnEitherWorkerReceivesAllMessagesInEachSendersOrder(String mode) throws Exception {
        int port = FreePorts.tcp();
        try (ClusterProcess cluster = ClusterApps.start(port, "processes=2,mode=" + mode)) {
            List<Long> pids = ClusterApps.awaitReady(cluster, port, 2);
            List<ClusterApps.Member> members = new ArrayList<>();
            try {
                for (int i = 0; i < SENDERS; i++) {
                    members.add(ClusterApps.join(port, pids.get(i % 2), "client" + i, cluster));
                }
                assertEquals(2, members.stream().map(ClusterApps.Member::pid).distinct().count());
                Duration took = ClusterApps.exchange(members, MESSAGES / SENDERS);
                System.out.println("[it] chat mode=" + mode + ": " + MESSAGES + " messages from " + SENDERS
                        + " senders on 2 workers, each received by all " + SENDERS + " clients in " + took.toMillis() + " ms");
            } finally {
                ClusterApps.leave(members);
            }
        }
    }
}
