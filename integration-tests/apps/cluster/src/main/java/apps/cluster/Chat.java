package apps.cluster;

import io.jcluster.Cluster;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A chat room over WebSockets that spans every worker: a text a client sends is published on the topic "chat";
 * every message on that topic (from this worker or any other) goes to each client connected to this worker. The
 * text is relayed as sent: the clients put their name and a sequence number in it.
 *
 * <p>On open a client first gets {@code welcome worker=<id> pid=<pid>}, so it knows which worker holds its socket.
 */
final class Chat implements AutoCloseable {

    static final String TOPIC = "chat";
    /** Frames queued to one client and not yet written; a client that falls this far behind is closed. */
    static final int MAX_PENDING = 4096;

    private final Map<Session, AtomicInteger> members = new ConcurrentHashMap<>();
    private final AutoCloseable subscription;

    Chat() {
        // subscribe returns once the cluster delivers the topic here: a client accepted later misses nothing
        subscription = Cluster.subscribe(TOPIC, this::deliver);
    }

    /** A new endpoint for one client connection. */
    Session.Listener member() {
        return new ChatMember(this);
    }

    /** A client's socket is open: it gets every message from now on. */
    void joined(Session session) {
        members.put(session, new AtomicInteger());
    }

    void left(Session session) {
        members.remove(session);
    }

    int members() {
        return members.size();
    }

    /** On the cluster's delivery thread: one message at a time, in each publisher's order. */
    private void deliver(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        members.forEach((session, pending) -> send(session, pending, text));
    }

    /** Never blocks the delivery thread on a slow client: past MAX_PENDING queued frames it is dropped instead. */
    private void send(Session session, AtomicInteger pending, String text) {
        if (pending.incrementAndGet() > MAX_PENDING) {
            if (members.remove(session) != null) {
                session.close(StatusCode.POLICY_VIOLATION, "too slow: " + MAX_PENDING + " messages behind", Callback.NOOP);
            }
            return;
        }
        session.sendText(text, Callback.from(pending::decrementAndGet, failure -> members.remove(session)));
    }

    @Override
    public void close() throws Exception {
        subscription.close();
    }
}
