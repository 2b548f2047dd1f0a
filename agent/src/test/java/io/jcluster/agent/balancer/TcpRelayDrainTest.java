package io.jcluster.agent.balancer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tcp relay while its backend drains ({@link ProxiedConnection#movesBefore}, {@link ProxiedConnection#releaseIfIdle},
 * {@link ProxiedConnection#closeIfIdle}): a connection of requests moves to a backend in rotation at its next request,
 * any other is closed once idle; none is cut while a request is outstanding.
 */
class TcpRelayDrainTest {

    /** Requests start with "GET " here: enough for the relay, which knows no protocol. */
    private static final RequestStart GETS = bytes -> bytes.readableBytes() >= 4
            && "GET ".equals(bytes.toString(bytes.readerIndex(), 4, StandardCharsets.US_ASCII));
    private static final TcpFrontend REQUESTS = new TcpFrontend(0, GETS);

    private final RelayUpstream upstream = new RelayUpstream(2);
    private final Backend draining = upstream.all[0];
    private final Backend next = upstream.all[1];

    private void drain() {
        draining.markDraining();
        upstream.inRotation = new Backend[]{next};
    }

    private static ProxiedConnection connection(Peer client) {
        return (ProxiedConnection) client.attr(ClientConnection.KEY).get();
    }

    @Test
    void aConnectionOfRequestsMovesToABackendInRotationAtItsNextRequest() {
        Peer first = upstream.accepts();
        Peer second = upstream.accepts();
        Peer client = upstream.client(REQUESTS);
        client.receive("GET /1 ");
        first.receive("200 one");
        assertEquals("200 one", client.written());

        drain();
        client.receive("GET /2 ");
        assertFalse(first.isOpen(), "the draining backend is let go");
        assertEquals("GET /1 ", first.written(), "and gets nothing of the next request");
        assertEquals(List.of(draining, next), upstream.connectedTo);
        assertEquals("GET /2 ", second.written());
        assertTrue(client.isOpen(), "the client notices nothing");
        assertEquals(0, draining.openConnections());
        assertEquals(1, next.openConnections());

        second.receive("200 two");
        assertEquals("200 two", client.written());
        assertEquals(14, upstream.fromClient);
        assertEquals(14, upstream.toClient);
        client.close();
        upstream.assertNoOpenConnections();
    }

    @Test
    void aPipelinedRequestStaysWithTheDrainingBackend() {
        Peer first = upstream.accepts();
        Peer client = upstream.client(REQUESTS);
        client.receive("GET /1 ");
        drain();
        client.receive("GET /2 "); // the first response has not come: the backend still owes it

        assertTrue(first.isOpen());
        assertEquals("GET /1 GET /2 ", first.written());
        assertEquals(List.of(draining), upstream.connectedTo);
        first.close();
        upstream.assertNoOpenConnections();
    }

    @Test
    void aPlainByteStreamIsNeverMovedButClosedOnceIdle() {
        Peer first = upstream.accepts();
        Peer client = upstream.client(REQUESTS);
        client.receive("HELLO");
        first.receive("WELCOME");
        drain();
        client.receive("GET /looks-like-a-request");
        assertEquals("HELLOGET /looks-like-a-request", first.written(), "its first bytes began no request");
        first.receive("ok");

        ProxiedConnection connection = connection(client);
        connection.releaseIfIdle(); // the first pass only samples
        assertTrue(client.isOpen());
        connection.releaseIfIdle();
        assertFalse(client.isOpen(), "quiet since the previous pass: closed");
        assertFalse(first.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void anIdleConnectionOfRequestsLetsItsBackendGoAndStaysOpenForTheNextRequest() {
        Peer first = upstream.accepts();
        Peer second = upstream.accepts();
        Peer client = upstream.client(REQUESTS);
        client.receive("GET /1 ");
        first.receive("200 one");
        drain();
        int reads = client.reads;

        ProxiedConnection connection = connection(client);
        connection.releaseIfIdle();
        assertTrue(first.isOpen(), "not quiet yet: the first pass only samples");
        connection.releaseIfIdle();
        assertFalse(first.isOpen());
        assertEquals(0, draining.openConnections());
        assertTrue(client.isOpen());
        assertEquals(reads + 1, client.reads, "waits for the next request");
        assertEquals(List.of(draining), upstream.connectedTo, "a backend is picked only when it comes");

        client.receive("GET /2 ");
        assertEquals("GET /2 ", second.written());
        assertEquals(1, next.openConnections());
        second.close();
        assertFalse(client.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void aConnectionWithARequestOutstandingIsNotLetGo() {
        Peer first = upstream.accepts();
        Peer client = upstream.client(REQUESTS);
        client.receive("GET /slow ");
        drain();
        ProxiedConnection connection = connection(client);
        for (int pass = 0; pass < 3; pass++) {
            connection.releaseIfIdle();
            connection.closeIfIdle();
        }
        assertTrue(client.isOpen() && first.isOpen(), "the client spoke last: its response is still owed");
        assertEquals(1, draining.openConnections());
        client.close();
        upstream.assertNoOpenConnections();
    }

    @Test
    void aClientThatEndsBetweenRequestsAfterItsBackendWasLetGoIsClosed() {
        Peer first = upstream.accepts();
        Peer client = upstream.client(REQUESTS);
        client.receive("GET /1 ");
        first.receive("200 one");
        drain();
        ProxiedConnection connection = connection(client);
        connection.releaseIfIdle();
        connection.releaseIfIdle();

        client.finReceived();
        assertFalse(client.isOpen(), "nothing is left to relay");
        assertEquals(List.of(draining), upstream.connectedTo);
        upstream.assertNoOpenConnections();
    }

    @Test
    void atShutdownAQuietConnectionWhoseLastBytesWentToTheClientIsClosed() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        client.receive("request");
        backend.receive("response");
        ProxiedConnection connection = connection(client);

        connection.closeIfIdle();
        assertTrue(client.isOpen(), "the first check only samples");
        connection.closeIfIdle();
        assertFalse(client.isOpen());
        assertFalse(backend.isOpen());
        upstream.assertNoOpenConnections();
    }

    @Test
    void atShutdownAConnectionThatMovedSinceTheLastCheckStaysOpen() {
        Peer backend = upstream.accepts();
        Peer client = upstream.client();
        ProxiedConnection connection = connection(client);
        backend.receive("tick");
        connection.closeIfIdle();
        backend.receive("tock");
        connection.closeIfIdle();
        assertTrue(client.isOpen(), "bytes moved between the checks");
        client.close();
        upstream.assertNoOpenConnections();
    }
}
