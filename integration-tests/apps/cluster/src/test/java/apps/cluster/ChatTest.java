package apps.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chat as one process (no agent: the single-process cluster): two clients, each gets every message in order. */
@Timeout(60)
class ChatTest {

    private static ClusterApp app;

    @BeforeAll
    static void start() throws Exception {
        app = ClusterApp.start(0, new ClusterApp.Settings(null, 5, java.time.Duration.ofSeconds(1)));
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void twoClientsEachReceiveEveryMessageOfBothSendersInOrder() throws Exception {
        Web web = new Web(app.port());
        int perSender = 300;
        try (Web.ChatClient alice = web.chat(); Web.ChatClient bob = web.chat()) {
            String welcome = "welcome worker=0 pid=" + ProcessHandle.current().pid();
            assertEquals(welcome, alice.next());
            assertEquals(welcome, bob.next());
            awaitMembers(2);

            // both send at the same time
            CompletableFuture<Void> a = CompletableFuture.runAsync(() -> sendAll(alice, "alice", perSender));
            CompletableFuture<Void> b = CompletableFuture.runAsync(() -> sendAll(bob, "bob", perSender));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);

            for (Web.ChatClient client : List.of(alice, bob)) {
                Map<String, Integer> nextSeq = new HashMap<>(Map.of("alice", 0, "bob", 0));
                List<String> received = new ArrayList<>();
                for (int i = 0; i < 2 * perSender; i++) {
                    String message = client.next();
                    received.add(message);
                    String[] parts = message.split(" ", 3);
                    int expected = nextSeq.get(parts[0]);
                    assertEquals(expected, Integer.parseInt(parts[1]), "in order from " + parts[0] + ": " + message);
                    assertEquals("hello", parts[2]);
                    nextSeq.put(parts[0], expected + 1);
                }
                assertEquals(Map.of("alice", perSender, "bob", perSender), nextSeq, "all received: " + received.size());
            }
        }
        awaitMembers(0);
    }

    @Test
    void aMessageOverMaxMessageIsRefusedToItsSenderAndReachesNoOne() throws Exception {
        Web web = new Web(app.port());
        try (Web.ChatClient alice = web.chat(); Web.ChatClient bob = web.chat()) {
            alice.next();
            bob.next();
            awaitMembers(2);
            alice.send("x".repeat(300_000));
            String error = alice.next();
            assertTrue(error.startsWith("error message of 300000 bytes is over max-message="), error);
            alice.send("alice 0 after");
            assertEquals("alice 0 after", alice.next());
            assertEquals("alice 0 after", bob.next(), "bob never got the refused message");
        }
        awaitMembers(0);
    }

    private static void sendAll(Web.ChatClient client, String sender, int count) {
        try {
            for (int i = 0; i < count; i++) {
                client.send(sender + " " + i + " hello");
            }
        } catch (Exception e) {
            throw new AssertionError(sender + " could not send", e);
        }
    }

    /** A closed client leaves the room (the app stops sending to it). */
    private static void awaitMembers(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (app.chat().members() != count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(app.chat().members() == count, "members " + app.chat().members() + ", expected " + count);
    }
}
