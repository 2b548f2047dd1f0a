package io.jcluster.agent.cluster;

import io.jcluster.agent.control.ClusterFrame;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leadership coordinator alone, with workers that record what they are sent. */
class LeadershipTest {

    private final Leadership leadership = new Leadership();

    /** A worker's control connection: the leadership frames it was sent. */
    private static final class Peer implements Leadership.Recipient {
        final List<ClusterFrame.Leadership> frames = new ArrayList<>();

        @Override
        public void send(ClusterFrame frame) {
            frames.add((ClusterFrame.Leadership) frame);
        }

        ClusterFrame.Leadership last() {
            return frames.isEmpty() ? null : frames.get(frames.size() - 1);
        }
    }

    private Peer ready(int id, long pid) {
        Peer peer = new Peer();
        leadership.joined(id, pid, peer);
        leadership.admitted(id, pid);
        return peer;
    }

    @Test
    void theOldestReadyWorkerIsGrantedOnceTheLeaseIsHeld() {
        Peer second = new Peer();
        leadership.joined(1, 101, second);      // joined first, admitted second
        Peer first = new Peer();
        leadership.joined(0, 100, first);
        leadership.admitted(0, 100);
        leadership.admitted(1, 101);
        assertTrue(first.frames.isEmpty(), "no grant without the lease");
        assertEquals(-1, leadership.leader());

        leadership.lease(true);
        assertEquals(List.of(new ClusterFrame.Leadership(1, true)), first.frames);
        assertTrue(second.frames.isEmpty());
        assertEquals(0, leadership.leader());
    }

    @Test
    void aWorkerIsNoCandidateBeforeItsConnectionJoinedOrBeforeItIsAdmitted() {
        leadership.lease(true);
        leadership.admitted(0, 100);             // in rotation, but its connection has not joined
        Peer joinedOnly = new Peer();
        leadership.joined(1, 101, joinedOnly);   // joined, not in rotation
        assertEquals(-1, leadership.leader());
        assertTrue(joinedOnly.frames.isEmpty());
        Peer late = new Peer();
        leadership.joined(0, 100, late);
        assertEquals(List.of(new ClusterFrame.Leadership(1, true)), late.frames);
    }

    @Test
    void withdrawingTheLeaderRevokesAndTheNextIsGrantedOnlyAfterItsAcknowledgement() {
        leadership.lease(true);
        Peer a = ready(0, 100);
        Peer b = ready(1, 101);
        leadership.withdrawn(100);
        assertEquals(new ClusterFrame.Leadership(1, false), a.last());
        assertTrue(b.frames.isEmpty(), "never two grants outstanding");
        assertEquals(0, leadership.leader(), "still the leader until it released");

        leadership.released(100, 0);             // a stale epoch changes nothing
        assertTrue(b.frames.isEmpty());
        leadership.released(101, 1);             // nor another worker's word
        assertTrue(b.frames.isEmpty());

        leadership.released(100, 1);
        assertEquals(List.of(new ClusterFrame.Leadership(2, true)), b.frames);
        assertEquals(1, leadership.leader());
        assertEquals(2, a.frames.size(), "a withdrawn worker is not granted again");
    }

    @Test
    void aLeaderThatCrashesIsReplacedAtOnce() {
        leadership.lease(true);
        Peer a = ready(0, 100);
        Peer b = ready(1, 101);
        leadership.left(100);                     // its connection ended: no acknowledgement will come
        assertEquals(List.of(new ClusterFrame.Leadership(2, true)), b.frames);
        assertEquals(1, a.frames.size());

        leadership.gone(101);                     // the process exited without its connection's end seen first
        assertEquals(-1, leadership.leader());
    }

    @Test
    void aCrashWhileBeingRevokedEndsTheGrantToo() {
        leadership.lease(true);
        ready(0, 100);
        Peer b = ready(1, 101);
        leadership.withdrawn(100);
        assertTrue(b.frames.isEmpty());
        leadership.gone(100);
        assertEquals(List.of(new ClusterFrame.Leadership(2, true)), b.frames);
    }

    @Test
    void stoppingTheLeaderCompletesOnlyOnceItReleased() {
        leadership.lease(true);
        Peer a = ready(0, 100);
        Peer b = ready(1, 101);
        CompletableFuture<Void> followerStopping = leadership.stopping(101);
        assertTrue(followerStopping.isDone(), "a worker that does not lead stops at once");

        CompletableFuture<Void> stopping = leadership.stopping(100);
        assertEquals(new ClusterFrame.Leadership(1, false), a.last());
        assertFalse(stopping.isDone());
        leadership.released(100, 1);
        assertTrue(stopping.isDone());
        assertTrue(b.frames.isEmpty(), "a stopping worker is no candidate");
        assertEquals(-1, leadership.leader());
    }

    @Test
    void stoppingWaitsForTheLeadersAnswerAndNoLongerThanItIsTold() throws Exception {
        leadership.lease(true);
        ready(0, 100);
        Thread answer = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            leadership.released(100, 1);
        });
        answer.start();
        long started = System.nanoTime();
        assertTrue(leadership.stoppingAwaitRelease(100, Duration.ofSeconds(10)));
        assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(100), "returned before the answer");
        answer.join();

        ready(1, 101); // never answers
        assertFalse(leadership.stoppingAwaitRelease(101, Duration.ofMillis(50)));
        assertEquals(1, leadership.leader(), "its grant ends only when its process is gone");
        leadership.gone(101);
        assertEquals(-1, leadership.leader());
    }

    @Test
    void stoppingALeaderWhoseProcessDiesCompletesToo() {
        leadership.lease(true);
        ready(0, 100);
        CompletableFuture<Void> stopping = leadership.stopping(100);
        assertFalse(stopping.isDone());
        leadership.left(100);
        assertTrue(stopping.isDone());
    }

    @Test
    void aLostLeaseRevokesAtOnceAndNothingIsGrantedUntilItIsHeldAgain() {
        leadership.lease(true);
        Peer a = ready(0, 100);
        Peer b = ready(1, 101);
        leadership.lease(false);
        assertEquals(new ClusterFrame.Leadership(1, false), a.last());
        leadership.released(100, 1);
        assertEquals(-1, leadership.leader());
        assertTrue(b.frames.isEmpty());
        assertEquals(2, a.frames.size());

        leadership.lease(true);
        assertEquals(new ClusterFrame.Leadership(2, true), a.last(), "the oldest ready worker again");
    }

    @Test
    void epochsOnlyIncrease() {
        leadership.lease(true);
        List<Long> epochs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Peer peer = ready(i, 100 + i);
            epochs.add(leadership.epoch());
            leadership.left(100 + i);
            assertTrue(peer.frames.get(0).granted());
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), epochs);
    }

    @Test
    void stopRevokesAtOnceAndNothingIsGrantedAfterIt() {
        leadership.lease(true);
        Peer a = ready(0, 100);
        Peer b = ready(1, 101);
        leadership.stop();
        assertEquals(new ClusterFrame.Leadership(1, false), a.last());
        assertFalse(leadership.stopping(100).isDone(), "the leader has not answered yet");
        leadership.released(100, 1);
        assertEquals(-1, leadership.leader());
        assertEquals(1, a.frames.stream().filter(ClusterFrame.Leadership::granted).count());
        assertTrue(b.frames.isEmpty());
    }
}
