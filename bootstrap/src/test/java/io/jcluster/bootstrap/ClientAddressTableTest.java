package io.jcluster.bootstrap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientAddressTableTest {

    private static final InetSocketAddress V4 = new InetSocketAddress(address("192.0.2.7"), 51_234);
    private static final InetSocketAddress V6 = new InetSocketAddress(address("2001:db8::1:2:3"), 443);

    @Test
    void aPublishedClientIsFoundByItsPortAndWorkerPort() {
        ClientAddressTable table = ClientAddressTable.inMemory(40_000, 40_010);
        int port = table.claim();
        table.publish(port, 8080, V4);
        assertEquals(V4, table.lookup(port, 8080));
        int other = table.claim();
        table.publish(other, 8080, V6);
        assertEquals(V6, table.lookup(other, 8080), "IPv6 clients keep all 16 bytes");
        assertEquals(V4, table.lookup(port, 8080), "slots are independent");
    }

    @Test
    void aLookupFromAnotherWorkerPortOrAnEmptySlotMisses() {
        ClientAddressTable table = ClientAddressTable.inMemory(40_000, 40_010);
        int port = table.claim();
        assertNull(table.lookup(port, 8080), "nothing published yet");
        table.publish(port, 8080, V4);
        assertNull(table.lookup(port, 8081), "a connection to another listening port is not this one");
        assertNull(table.lookup(0, 8080));
        assertNull(table.lookup(70_000, 8080));
    }

    @Test
    void theParentsOwnConnectionsAreMarkedAsSuch() {
        ClientAddressTable table = ClientAddressTable.inMemory(40_000, 40_000);
        int port = table.claim();
        table.publishParent(port, 8080);
        assertSame(ClientAddressTable.NO_CLIENT, table.lookup(port, 8080));
        table.release(port);
        assertSame(ClientAddressTable.NO_CLIENT, table.lookup(port, 8080),
                "a probe closes before the worker accepts it: the mark outlives the connection");
        assertEquals(port, table.claim());
        table.publish(port, 8080, V4);
        assertEquals(V4, table.lookup(port, 8080), "a client's connection from the port replaces the mark");
    }

    @Test
    void releaseClearsTheClientSoThatALaterConnectionOnThePortFindsNoStaleClient() {
        ClientAddressTable table = ClientAddressTable.inMemory(40_000, 40_000);
        int port = table.claim();
        table.publish(port, 8080, V4);
        table.release(port);
        assertSame(ClientAddressTable.NO_CLIENT, table.lookup(port, 8080),
                "accepted after the parent closed it: no client, and not a miss");
        assertNull(table.lookup(port, 8081), "the mark is for the closed connection's worker port only");
        assertEquals(port, table.claim(), "a released port can be claimed again");
        table.publish(port, 8080, V6);
        assertEquals(V6, table.lookup(port, 8080), "the latest publish wins");
    }

    @Test
    void aClientThatAlreadyLeftIsNoMiss() {
        ClientAddressTable table = ClientAddressTable.inMemory(40_000, 40_010);
        int port = table.claim();
        table.publish(port, 8080, null);
        assertSame(ClientAddressTable.NO_CLIENT, table.lookup(port, 8080));
        int unresolved = table.claim();
        table.publish(unresolved, 8080, InetSocketAddress.createUnresolved("gone", 1));
        assertSame(ClientAddressTable.NO_CLIENT, table.lookup(unresolved, 8080));
    }

    @Test
    void aPortIsNeverHeldTwiceAndTheRangeCanRunOut() {
        ClientAddressTable table = ClientAddressTable.inMemory(40_000, 40_003);
        Set<Integer> held = Set.of(table.claim(), table.claim(), table.claim(), table.claim());
        assertEquals(Set.of(40_000, 40_001, 40_002, 40_003), held);
        assertEquals(-1, table.claim(), "every port of the range is held");
        table.release(40_002);
        assertEquals(40_002, table.claim());
    }

    @Test
    void concurrentClaimersNeverShareAPort() throws Exception {
        ClientAddressTable table = ClientAddressTable.inMemory(40_000, 40_063);
        Set<Integer> inUse = ConcurrentHashMap.newKeySet();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(new Thread(() -> {
                for (int i = 0; i < 20_000 && failure.get() == null; i++) {
                    int port = table.claim();
                    if (port < 0) {
                        continue; // all 64 held by the others at this instant
                    }
                    if (!inUse.add(port)) {
                        failure.set("port " + port + " handed out while held");
                    }
                    inUse.remove(port);
                    table.release(port);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertNull(failure.get());
    }

    /** Readers racing a writer that keeps rewriting one slot see one whole entry or the other, never a mix. */
    @Test
    void readersNeverSeeATornEntry() throws Exception {
        ClientAddressTable table = ClientAddressTable.inMemory(40_000, 40_000);
        int port = table.claim();
        InetSocketAddress a = new InetSocketAddress(address("2001:db8::aaaa:aaaa"), 1111);
        InetSocketAddress b = new InetSocketAddress(address("198.51.100.200"), 2222);
        table.publish(port, 8080, a);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> torn = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        Thread writer = new Thread(() -> {
            for (long i = 0; !stop.get(); i++) {
                table.publish(port, (i & 2) == 0 ? 8080 : 9090, (i & 1) == 0 ? b : a);
            }
        });
        CountDownLatch done = new CountDownLatch(2);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
                while (System.nanoTime() < deadline && torn.get() == null) {
                    InetSocketAddress seen = table.lookup(port, 8080);
                    reads.incrementAndGet();
                    if (seen != null && !seen.equals(a) && !seen.equals(b)) {
                        torn.set(String.valueOf(seen));
                    }
                }
                done.countDown();
            }));
        }
        writer.start();
        readers.forEach(Thread::start);
        done.await(10, TimeUnit.SECONDS);
        stop.set(true);
        writer.join(10_000);
        assertNull(torn.get(), "a torn read after " + reads.get() + " reads");
        assertTrue(reads.get() > 1000, "the readers ran: " + reads.get());
    }

    @Test
    void theFileIsPrivateAndAWorkersMappingSeesWhatTheParentPublishes(@TempDir Path directory) throws Exception {
        ClientAddressTable parent = ClientAddressTable.create(directory);
        Path file = directory.resolve(ClientAddressTable.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        ClientAddressTable worker = ClientAddressTable.open(directory);
        int port = parent.claim();
        assertTrue(port >= 1024, "claimed from the ephemeral range: " + port);
        parent.publish(port, 8080, V6);
        assertEquals(V6, worker.lookup(port, 8080));
        parent.release(port);
        assertSame(ClientAddressTable.NO_CLIENT, worker.lookup(port, 8080));
        assertNotEquals(-1, parent.claim());
    }

    @Test
    void aWorkerWithoutATableHasNone(@TempDir Path directory) {
        assertNull(ClientAddressTable.open(directory));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
