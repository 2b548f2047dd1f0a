package io.jcluster.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Acceptance 1 and 2 of the Cluster API with {@code store=redis://...}: two clusters (as on two hosts) share one real
 * redis-server. The sample chat spans both: 4 clients, one on each of the 4 workers, 1,000 messages, every client
 * gets all in each sender's order. The sample counter: 10,000 increments over both clusters' 4 workers hand out
 * 1..10,000 once each, and the value survives a restart of every cluster (it lives in Redis).
 */
@Timeout(300)
class ClusterRedisIT {

    @Test
    void chatSpansTwoClustersOnOneRedis(@TempDir Path dir) throws Exception {
        try (RedisServer redis = RedisServer.start(dir)) {
            int portA = FreePorts.tcp();
            int portB = FreePorts.tcp();
            String options = "processes=2,store=" + redis.uri();
            try (ClusterProcess a = ClusterApps.start(portA, options); ClusterProcess b = ClusterApps.start(portB, options)) {
                List<Long> pidsA = ClusterApps.awaitReady(a, portA, 2);
                List<Long> pidsB = ClusterApps.awaitReady(b, portB, 2);
                List<ClusterApps.Member> members = new ArrayList<>();
                try {
                    members.add(ClusterApps.join(portA, pidsA.get(0), "a0", a));
                    members.add(ClusterApps.join(portA, pidsA.get(1), "a1", a));
                    members.add(ClusterApps.join(portB, pidsB.get(0), "b0", b));
                    members.add(ClusterApps.join(portB, pidsB.get(1), "b1", b));
                    Duration took = ClusterApps.exchange(members, ClusterChatIT.MESSAGES / members.size());
                    System.out.println("[it] chat over " + redis + ": " + ClusterChatIT.MESSAGES + " messages from 4 senders"
                            + " on 2 clusters x 2 workers, each received by all 4 clients in " + took.toMillis() + " ms");
                } finally {
                    ClusterApps.leave(members);
                }
            }
        }
    }

    @Test
    void counterOverTwoClustersIsExactAndSurvivesARestartOfEveryCluster(@TempDir Path dir) throws Exception {
        int visits = ClusterCounterIT.VISITS;
        try (RedisServer redis = RedisServer.start(dir)) {
            int portA = FreePorts.tcp();
            int portB = FreePorts.tcp();
            String options = "processes=2,mode=http,store=" + redis.uri();
            try (ClusterProcess a = ClusterApps.start(portA, options); ClusterProcess b = ClusterApps.start(portB, options)) {
                Set<Long> pids = new HashSet<>(ClusterApps.awaitReady(a, portA, 2));
                pids.addAll(ClusterApps.awaitReady(b, portB, 2));
                long started = System.nanoTime();
                Map<Long, List<Long>> byPid = ClusterApps.visits(List.of(portA, portB), 8, visits);
                Map<Long, Integer> spread = new TreeMap<>();
                byPid.forEach((pid, numbers) -> spread.put(pid, numbers.size()));
                System.out.println("[it] counter over " + redis + ": " + visits + " increments on 2 clusters in "
                        + (System.nanoTime() - started) / 1_000_000 + " ms, by worker pid: " + spread);
                assertEquals(pids, spread.keySet(), "all 4 workers of both clusters incremented");
                assertEquals(LongStream.rangeClosed(1, visits).boxed().collect(Collectors.toSet()),
                        byPid.values().stream().flatMap(List::stream).collect(Collectors.toSet()),
                        "each of 1.." + visits + " handed out exactly once across both clusters");
                ClusterApps.assertEveryWorkerCounts(a, portA, Set.copyOf(ClusterApps.awaitReady(a, portA, 2)), visits);
                ClusterApps.assertEveryWorkerCounts(b, portB, Set.copyOf(ClusterApps.awaitReady(b, portB, 2)), visits);
            } // both clusters killed (SIGKILL, every pid)

            int port = FreePorts.tcp();
            try (ClusterProcess again = ClusterApps.start(port, options)) {
                Set<Long> fresh = Set.copyOf(ClusterApps.awaitReady(again, port, 2));
                ClusterApps.assertEveryWorkerCounts(again, port, fresh, visits);
                assertEquals(visits + 1, ClusterApps.visit(ClusterApps.http(), port).number(), "counting goes on");
                System.out.println("[it] counter over " + redis + ": " + visits + " after both clusters were killed and"
                        + " a new one started");
            }
        }
    }
}
