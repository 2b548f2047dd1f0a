package io.jcluster.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The worker's side: which accepted connections get their client's address, and which misses count. */
class PeerRewriteTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.9", 50_001);

    @AfterEach
    void uninstall() {
        PeerRewrite.install(null);
    }

    @Test
    void aConnectionFromTheParentOnARewrittenListenerGetsItsClient() {
        ClientAddressTable table = ClientAddressTable.inMemory(41_000, 41_010);
        PeerRewrite.install(table);
        PeerRewrite.listening(35_001);
        int parentPort = table.claim();
        table.publish(parentPort, 35_001, CLIENT);

        long rewrites = PeerRewrite.rewrites();
        assertEquals(CLIENT, PeerRewrite.peer(loopback(35_001), loopback(parentPort)));
        assertEquals(rewrites + 1, PeerRewrite.rewrites());
    }

    @Test
    void listenersThatWereNotRewrittenAndNonLoopbackPeersAreLeftAlone() {
        ClientAddressTable table = ClientAddressTable.inMemory(41_000, 41_010);
        PeerRewrite.install(table);
        PeerRewrite.listening(35_002);
        int parentPort = table.claim();
        table.publish(parentPort, 35_003, CLIENT);
        long fallbacks = PeerRewrite.fallbacks();

        SocketAddress seen = loopback(parentPort);
        assertSame(seen, PeerRewrite.peer(loopback(35_003), seen), "35003 was not rewritten (balancer=kernel, say)");
        SocketAddress remote = new InetSocketAddress("198.51.100.1", parentPort);
        assertSame(remote, PeerRewrite.peer(loopback(35_002), remote), "only the parent's 127.0.0.1 is replaced");
        assertEquals(fallbacks, PeerRewrite.fallbacks(), "none of these is a miss");
    }

    @Test
    void aConnectionWithoutAnEntryKeepsLoopbackAndCountsButTheParentsOwnDoNot() {
        ClientAddressTable table = ClientAddressTable.inMemory(41_000, 41_010);
        PeerRewrite.install(table);
        PeerRewrite.listening(35_004);
        long fallbacks = PeerRewrite.fallbacks();

        SocketAddress unknown = loopback(41_005);
        assertSame(unknown, PeerRewrite.peer(loopback(35_004), unknown));
        assertEquals(fallbacks + 1, PeerRewrite.fallbacks(), "a connection the parent did not publish is counted");

        int probe = table.claim();
        table.publishParent(probe, 35_004);
        SocketAddress fromParent = loopback(probe);
        assertSame(fromParent, PeerRewrite.peer(loopback(35_004), fromParent));
        assertEquals(fallbacks + 1, PeerRewrite.fallbacks(), "a health probe is not a miss");
    }

    @Test
    void withoutATableNothingChanges() {
        PeerRewrite.listening(35_005);
        SocketAddress seen = loopback(41_001);
        long fallbacks = PeerRewrite.fallbacks();
        assertSame(seen, PeerRewrite.peer(loopback(35_005), seen));
        assertEquals(fallbacks, PeerRewrite.fallbacks());
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
}
