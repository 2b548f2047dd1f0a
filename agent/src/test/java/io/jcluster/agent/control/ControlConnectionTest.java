package io.jcluster.agent.control;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control channel's framing, over a real unix-domain socket pair. */
@Timeout(60)
class ControlConnectionTest {

    private UnixSocketPair sockets;
    private ControlConnection worker;
    private ControlConnection parent;

    @BeforeEach
    void connect() throws IOException {
        sockets = UnixSocketPair.open();
        worker = UnixSocketPair.connection(sockets.near());
        parent = UnixSocketPair.connection(sockets.far());
    }

    @AfterEach
    void close() throws IOException {
        sockets.close();
    }

    @Test
    void textAndClusterFramesInterleaveInOrder() throws Exception {
        List<ControlMessage> sent = List.of(
                new ControlMessage.Hello(1, 4242, "secret"),
                new ControlMessage.Cluster(new ClusterFrame.Subscribe(1, "chat")),
                new ControlMessage.Bound(new InetSocketAddress("0.0.0.0", 8080), 40001),
                new ControlMessage.Cluster(new ClusterFrame.Publish("chat", "hello\nbound 0.0.0.0 1 2\n"
                        .getBytes(StandardCharsets.UTF_8))),
                new ControlMessage.Cluster(new ClusterFrame.Publish("chat", new byte[200_000])),
                new ControlMessage.Stats(1, 2, 3, 4),
                new ControlMessage.Cluster(new ClusterFrame.WorkerStats(1, 0, 0, 0, 5, 0)),
                new ControlMessage.DumpLine("a line with spaces and \u00e9"));
        // the writer on its own thread: a 200 kB frame does not fit the socket's buffer
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                for (ControlMessage message : sent) {
                    worker.send(message);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        List<ControlMessage> received = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            received.add(parent.receive());
        }
        writing.get(10, TimeUnit.SECONDS);
        for (int i = 0; i < sent.size(); i++) {
            ControlMessage want = sent.get(i);
            ControlMessage got = received.get(i);
            if (want instanceof ControlMessage.Cluster cluster) {
                assertTrue(got instanceof ControlMessage.Cluster, "message " + i + ": " + got);
                ClusterFrameCodecTest.assertSameFrame(cluster.frame(), ((ControlMessage.Cluster) got).frame());
            } else {
                assertEquals(want, got, "message " + i);
            }
        }
        sockets.near().close();
        assertNull(parent.receive(), "a clean end between frames is the end of the stream");
    }

    /** Frames from several threads never interleave their bytes: each send writes its frame whole. */
    @Test
    void aPeerThatReadsNothingHoldsUpOneSenderNotTheNext() throws Exception {
        // 4 MB: far more than a unix socket's buffers hold, so its sender waits for the peer to read
        byte[] large = new byte[4 * 1024 * 1024];
        CompletableFuture<Void> stuck = CompletableFuture.runAsync(() -> {
            try {
                worker.send(new ClusterFrame.Publish("large", large));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (worker.queuedFrames() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, worker.queuedFrames(), "the large frame is being written");
        assertTrue(!stuck.isDone(), "the peer reads nothing: the large frame cannot be written yet");
        // another thread's sends return while the first waits (they queued behind it, in order)
        CompletableFuture<Void> next = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    worker.send(new ControlMessage.DumpLine("line " + i));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        next.get(10, TimeUnit.SECONDS);
        assertTrue(!stuck.isDone(), "still waiting for the peer");
        ClusterFrame.Publish first = (ClusterFrame.Publish) ((ControlMessage.Cluster) parent.receive()).frame();
        assertEquals(large.length, first.message().length);
        for (int i = 0; i < 100; i++) {
            assertEquals(new ControlMessage.DumpLine("line " + i), parent.receive());
        }
        stuck.get(10, TimeUnit.SECONDS);
        assertEquals(0, worker.queuedFrames());
    }

    @Test
    void aFullQueueMakesSendersWaitForRoomAndAClosedConnectionFailsThem() throws Exception {
        // two frames of MAX_QUEUED / 2 fill the queue while the peer reads nothing; a third waits for room
        byte[] half = new byte[(int) (ControlConnection.MAX_QUEUED / 2) - 64];
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sends.add(CompletableFuture.runAsync(() -> {
                try {
                    worker.send(new ClusterFrame.Publish("half", half));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (worker.queuedFrames() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(200);
        assertEquals(2, worker.queuedFrames(), "the third frame waits for room instead of being queued");
        worker.close();
        for (CompletableFuture<Void> send : sends) {
            try {
                send.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException failed) {
                assertTrue(failed.getCause().getCause() instanceof IOException, failed.toString());
            }
        }
        assertTrue(sends.stream().filter(CompletableFuture::isCompletedExceptionally).count() >= 2,
                "the writer and the sender waiting for room both learn that the connection closed");
        assertThrows(IOException.class, () -> worker.send(new ControlMessage.DumpEnd()));
    }

    @Test
    void concurrentSendersKeepFramesWhole() throws Exception {
        int threads = 4;
        int each = 200;
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        worker.send(new ClusterFrame.Publish("t" + thread, new byte[1000 + i * 37]));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, runnable -> new Thread(runnable).start()));
        }
        int[] next = new int[threads];
        for (int n = 0; n < threads * each; n++) {
            ClusterFrame.Publish publish = (ClusterFrame.Publish) ((ControlMessage.Cluster) parent.receive()).frame();
            int thread = Integer.parseInt(publish.topic().substring(1));
            assertEquals(1000 + next[thread]++ * 37, publish.message().length, "per-sender order and whole frames");
        }
        for (CompletableFuture<Void> writer : writers) {
            writer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTextFrameOfTheLongestLengthIsRead() throws Exception {
        String line = "dump-line " + "x".repeat(1024 - "dump-line ".length());
        writeFrame(0, line.getBytes(StandardCharsets.US_ASCII));
        assertTrue(parent.receive() instanceof ControlMessage.DumpLine);
    }

    @Test
    void anOverlongTextFrameIsRefused() throws Exception {
        String line = "dump-line " + "x".repeat(1025 - "dump-line ".length());
        writeFrame(0, line.getBytes(StandardCharsets.US_ASCII));
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class, parent::receive);
        assertTrue(e.getMessage().contains("text message longer than 1024"), e.getMessage());
    }

    /** Refused on the header alone: the body is never sent, and nothing waits for it or allocates it. */
    @Test
    void anOverlongClusterFrameIsRefusedFromItsHeader() throws Exception {
        writeHeader(ControlConnection.MAX_CLUSTER_FRAME + 2, 1);
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class, parent::receive);
        assertTrue(e.getMessage().contains("more than " + ControlConnection.MAX_CLUSTER_FRAME), e.getMessage());
    }

    @Test
    void aClusterFrameOfTheLongestLengthIsRead() throws Exception {
        // Publish: type, topic length and 't', bytes length: 8 bytes besides the message
        byte[] message = new byte[ControlConnection.MAX_CLUSTER_FRAME - 8];
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                worker.send(new ClusterFrame.Publish("t", message));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        ClusterFrame.Publish publish = (ClusterFrame.Publish) ((ControlMessage.Cluster) parent.receive()).frame();
        assertEquals(message.length, publish.message().length);
        writing.get(10, TimeUnit.SECONDS);
    }

    /** A length of 0 leaves no room for the kind byte; MIN_VALUE would wrap to MAX_VALUE when the kind is taken off. */
    @Test
    void impossibleLengthsAndKindsAreRefused() throws Exception {
        for (int[] header : new int[][]{{0, 0}, {0, 1}, {Integer.MIN_VALUE, 0}, {Integer.MIN_VALUE, 1},
                {Integer.MIN_VALUE, 2}, {-5, 1}, {10, 2}, {10, -1}}) {
            try (UnixSocketPair pair = UnixSocketPair.open()) {
                ByteBuffer bytes = ByteBuffer.allocate(5).putInt(header[0]).put((byte) header[1]).flip();
                pair.near().write(bytes);
                ControlConnection reader = UnixSocketPair.connection(pair.far());
                assertThrows(ControlMessage.MalformedMessage.class, reader::receive,
                        "length " + header[0] + ", kind " + header[1]);
            }
        }
    }

    @Test
    void anUnknownKindIsRefused() throws Exception {
        writeFrame(7, "dump".getBytes(StandardCharsets.US_ASCII));
        ControlMessage.MalformedMessage e = assertThrows(ControlMessage.MalformedMessage.class, parent::receive);
        assertTrue(e.getMessage().contains("unknown frame kind 7"), e.getMessage());
    }

    @Test
    void aMalformedClusterBodyIsRefused() throws Exception {
        writeFrame(1, new byte[]{(byte) 103, 0, 0});
        assertThrows(ControlMessage.MalformedMessage.class, parent::receive);
    }

    @Test
    void anEndInsideTheHeaderIsAnError() throws Exception {
        sockets.near().write(ByteBuffer.wrap(new byte[]{0, 0, 0}));
        sockets.near().close();
        assertThrows(EOFException.class, parent::receive);
    }

    @Test
    void anEndInsideTheBodyIsAnError() throws Exception {
        writeHeader(1 + 100, 1);
        sockets.near().write(ByteBuffer.wrap(new byte[]{3, 0, 1, 't'}));
        sockets.near().close();
        assertThrows(EOFException.class, parent::receive);
    }

    @Test
    void anEndBeforeAnyFrameIsTheEndOfTheStream() throws Exception {
        sockets.near().close();
        assertNull(parent.receive());
    }

    private void writeFrame(int kind, byte[] body) throws IOException {
        writeHeader(body.length + 1, kind);
        ByteBuffer buffer = ByteBuffer.wrap(body);
        while (buffer.hasRemaining()) {
            sockets.near().write(buffer);
        }
    }

    private void writeHeader(int length, int kind) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(5).putInt(length).put((byte) kind).flip();
        while (header.hasRemaining()) {
            sockets.near().write(header);
        }
    }
}
