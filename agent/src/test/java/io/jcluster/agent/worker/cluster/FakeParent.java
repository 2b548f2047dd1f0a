package io.jcluster.agent.worker.cluster;

import io.jcluster.agent.control.ClusterFrame;
import io.jcluster.agent.control.ControlClient;
import io.jcluster.agent.control.ControlConnection;
import io.jcluster.agent.control.ControlMessage;
import io.jcluster.agent.control.UnixSocketPair;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parent's end of a real control connection over a unix socket, played by the test: a worker's real
 * {@link ControlClient} connects to it and says hello; the cluster frames it sends then queue here for the test to
 * read and answer. The worker side is wired as WorkerAgent wires it.
 */
final class FakeParent implements AutoCloseable {

    private final Path directory;
    private final ServerSocketChannel server;
    private final ControlConnection connection;
    private final BlockingQueue<ClusterFrame> received = new LinkedBlockingQueue<>();
    WorkerCluster cluster;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    final BlockingQueue<String> log = new LinkedBlockingQueue<>();

    private FakeParent(Path directory, ServerSocketChannel server, ControlConnection connection) {
        this.directory = directory;
        this.server = server;
        this.connection = connection;
    }

    /** A worker 3 of 4 with the given limits, connected to a fake parent. */
    static FakeParent start(Duration storeTimeout, long maxMessage, int deliveryQueue, long ackAfterMillis)
            throws Exception {
        return start(storeTimeout, maxMessage, deliveryQueue, Subscriptions.QUEUE_BYTES, ackAfterMillis);
    }

    static FakeParent start(Duration storeTimeout, long maxMessage, int deliveryQueue, long deliveryQueueBytes,
                            long ackAfterMillis) throws Exception {
        Path directory = Files.createTempDirectory("jcluster-test-parent");
        Path socket = directory.resolve("control.sock");
        ServerSocketChannel server = UnixSocketPair.listen(socket);
        ControlClient client = ControlClient.connect(socket, 3, ProcessHandle.current().pid(), "secret");
        FakeParent parent = new FakeParent(directory, server, UnixSocketPair.connection(server.accept()));
        assertEquals(new ControlMessage.Hello(3, ProcessHandle.current().pid(), "secret"), parent.connection.receive());
        // wired as WorkerAgent wires it
        parent.cluster = new WorkerCluster(3, 4, frame -> client.send(new ControlMessage.Cluster(frame)),
                "embedded", storeTimeout, maxMessage, parent.log::add, deliveryQueue, deliveryQueueBytes,
                ackAfterMillis);
        WorkerCluster cluster = parent.cluster;
        client.listen(message -> {
            if (message instanceof ControlMessage.Cluster frame) {
                cluster.received(frame.frame());
            }
        }, cluster::parentGone);
        Thread reader = new Thread(parent::readForever, "fake-parent-reader");
        reader.setDaemon(true);
        reader.start();
        return parent;
    }

    /** The parent stops reading (after the frame it may be reading now): the worker's writes back up. */
    void pauseReading() {
        gate = new CountDownLatch(1);
    }

    void resumeReading() {
        gate.countDown();
    }

    private void readForever() {
        try {
            ControlMessage message;
            while (awaitGate() && (message = connection.receive()) != null) {
                if (message instanceof ControlMessage.Cluster frame) {
                    received.add(frame.frame());
                }
            }
        } catch (IOException | ControlMessage.MalformedMessage e) {
            // the test closed it
        }
    }

    private boolean awaitGate() {
        try {
            return gate.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** The next frame the worker sent, within 10 s. */
    ClusterFrame next() throws InterruptedException {
        ClusterFrame frame = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(frame, "the worker sent a frame within 10 s");
        return frame;
    }

    /** The next frame the worker sent, which must be a {@code type}. */
    <F extends ClusterFrame> F next(Class<F> type) throws InterruptedException {
        ClusterFrame frame = next();
        assertTrue(type.isInstance(frame), "expected a " + type.getSimpleName() + ", got " + frame);
        return type.cast(frame);
    }

    /** Nothing more from the worker within {@code millis}. */
    void expectNothing(long millis) throws InterruptedException {
        assertNull(received.poll(millis, TimeUnit.MILLISECONDS));
    }

    /** Answers whatever the worker sends next with {@code answer} applied to it, on a thread of its own. */
    <F extends ClusterFrame.Request> void answerNext(Class<F> type, Function<F, ClusterFrame> answer) {
        Thread responder = new Thread(() -> {
            try {
                send(answer.apply(next(type)));
            } catch (Throwable e) {
                log.add("responder failed: " + e);
            }
        }, "fake-parent-responder");
        responder.setDaemon(true);
        responder.start();
    }

    void send(ClusterFrame frame) throws IOException {
        connection.send(frame);
    }

    /** The next log line within 10 s. */
    String nextLog() throws InterruptedException {
        String line = log.poll(10, TimeUnit.SECONDS);
        assertNotNull(line, "a log line within 10 s");
        return line;
    }

    /** The parent goes away: its end of the connection closes. */
    void die() {
        connection.close();
    }

    @Override
    public void close() throws IOException {
        connection.close();
        server.close();
        Files.deleteIfExists(directory.resolve("control.sock"));
        Files.deleteIfExists(directory);
    }
}
