package io.jcluster.agent.balancer;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A backend's open-connection count (what least-connections picks by) through {@link BackendLease}: a lease made
 * for one backend, and a reusable lease claimed per request by its owner (http mode's keep-alive connections) that
 * nobody else may hold past its release.
 */
class BackendLeaseTest {

    private final Backend a = new Backend(0, new InetSocketAddress("127.0.0.1", 9));
    private final Backend b = new Backend(1, new InetSocketAddress("127.0.0.1", 10));

    @Test
    void aLeaseReleasedTwiceCountsDownOnce() {
        a.connectionOpened(); // another connection's
        BackendLease lease = new BackendLease(a);
        assertEquals(2, a.openConnections());
        lease.release();
        lease.release();
        lease.operationComplete(null); // and its close listener after that
        assertEquals(1, a.openConnections(), "the other connection still counts");
        assertNull(lease.backend());
    }

    @Test
    void aReusableLeaseCountsEachClaimOnceAndIsReleasedOnce() {
        BackendLease lease = BackendLease.reusable();
        assertNull(lease.backend());
        lease.release(); // nothing claimed: nothing to count down
        assertEquals(0, a.openConnections());
        for (int request = 0; request < 3; request++) {
            assertSame(lease, lease.claim(a), "no lease allocated per request");
            assertEquals(1, a.openConnections());
            lease.release();
            lease.release();
            assertEquals(0, a.openConnections());
        }
        lease.claim(a);
        lease.release();
        lease.claim(b);
        assertEquals(0, a.openConnections());
        assertEquals(1, b.openConnections());
        lease.release();
        assertEquals(0, b.openConnections());
    }

    @Test
    void aClaimWithoutTheReleaseBeforeItLeaksNoCount() {
        BackendLease lease = BackendLease.reusable();
        lease.claim(a);
        lease.claim(b);
        assertEquals(0, a.openConnections());
        assertEquals(1, b.openConnections());
        lease.release();
        assertEquals(0, b.openConnections());
    }

    @Test
    void aLeaseForOneBackendIsNotClaimedAgain() {
        BackendLease lease = new BackendLease(a);
        assertThrows(IllegalStateException.class, () -> lease.claim(b));
        assertEquals(1, a.openConnections());
        assertEquals(0, b.openConnections());
    }

    @Test
    void aReusableLeaseIsNoCloseListenerWhoseLateCallCountsDownTheNextClaim() {
        BackendLease lease = BackendLease.reusable().claim(a);
        lease.release();
        lease.claim(b); // the owner's next request
        assertThrows(IllegalStateException.class, () -> lease.operationComplete(null));
        assertEquals(1, b.openConnections(), "the next request's claim stands");
        lease.release();
        assertEquals(0, b.openConnections());
    }

    @Test
    void aHandedOffClaimIsTheHoldersAloneAndTheOwnersNextClaimIsApart() {
        BackendLease owners = BackendLease.reusable().claim(a);
        BackendLease holders = owners.handOff();
        assertFalse(holders.isReusable());
        assertSame(a, holders.backend());
        assertNull(owners.backend());
        assertEquals(1, a.openConnections(), "handed over, not counted again");
        owners.release(); // the owner ends its request as always: the claim is no longer its to release
        assertEquals(1, a.openConnections());
        owners.claim(b);
        holders.operationComplete(null); // the holder's backend connection closes
        holders.release();
        assertEquals(0, a.openConnections());
        assertEquals(1, b.openConnections(), "the holder's release never reaches the owner's next claim");
        owners.release();
        assertEquals(0, b.openConnections());
    }

    /**
     * http mode's upgrade: the tunnel keeps the worker's count until its backend connection closes, while the
     * connection's reusable lease goes back to its owner. The tunnel must hold a lease of its own: were it to hold
     * the reusable one, its close would count down whatever the owner claimed next.
     */
    @Test
    void aTunnelGivenAReusableLeaseReleasesOnlyItsOwnClaim() {
        RelayUpstream upstream = new RelayUpstream(2);
        Backend first = upstream.all[0];
        Backend next = upstream.all[1];
        Peer client = Peer.registered();
        Peer backend = new Peer();
        client.eventLoop().register(backend);
        BackendLease reusable = BackendLease.reusable().claim(first);

        Tunnel.join(upstream, client, backend, reusable, RequestStart.NONE);
        assertNull(reusable.backend(), "the tunnel took the claim over");
        assertEquals(1, first.openConnections());
        reusable.claim(next); // the old owner reuses its lease (never happens after an upgrade, but must be safe)
        assertEquals(1, next.openConnections());

        backend.close();
        assertEquals(0, first.openConnections(), "released when the tunnel's backend connection ends");
        assertEquals(1, next.openConnections(), "the owner's claim is not the tunnel's to release");
        reusable.release();
        assertEquals(0, next.openConnections());
        assertFalse(client.isOpen());
        client.finishAndReleaseAll();
    }
}
