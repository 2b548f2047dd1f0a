package io.jcluster.bootstrap;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Which client each of the parent's connections to a worker stands for, shared by the parent (writes) and its
 * workers (read) through a memory-mapped file in the parent's private 0700 control directory.
 *
 * <p>The key is the parent's local port: the port the worker's app sees as its peer's. The parent binds each backend
 * connection to 127.0.0.1 and a port it {@linkplain #claim() claims} here before connecting, {@linkplain #publish
 * publishes} the client's address in that port's slot, and only then connects; the worker reads the slot after its
 * accept returned, so the entry is always there before it can be looked for. A claimed port is held by one
 * connection at a time (the parent never hands it out twice), and {@link #release} clears the client when that
 * connection closes, so a stale entry is never read for a later connection: a reused port was published again before
 * its next connect, and a port the kernel picked by itself (the parent could not bind one) finds no client there.
 *
 * <p>Each slot also names the worker port the connection went to; a lookup from another listening port misses. A
 * local process that binds a port the parent holds (SO_REUSEADDR lets it) to reach a different worker port therefore
 * cannot borrow a client's address: reaching the same worker port from the same port is refused by the kernel (the
 * four-tuple is taken).
 *
 * <p>Slots are seqlocks: the writer makes the sequence odd, writes, and makes it even again with a release store; a
 * reader that sees an odd or changed sequence tries again, a bounded number of times (it runs in an accept loop).
 *
 * <p>Layout: 65,536 slots of 32 bytes (2 MiB, sparse on disk), slot {@code port} at {@code port * 32}, ints in the
 * machine's byte order: sequence, kind, worker port, client port, client address (16 bytes; IPv4 in the first 4).
 */
public final class ClientAddressTable {

    /** The file's name in the control directory. */
    public static final String FILE_NAME = "client-addresses";

    static final int SLOTS = 65_536;
    static final int SLOT_BYTES = 32;
    static final int SIZE = SLOTS * SLOT_BYTES;

    private static final int SEQUENCE = 0;
    private static final int KIND = 4;
    private static final int WORKER_PORT = 8;
    private static final int CLIENT_PORT = 12;
    private static final int ADDRESS = 16;

    static final int EMPTY = 0;
    /** The parent's own connection (a health probe): the worker keeps the loopback address and counts no miss. */
    static final int PARENT = 1;
    /**
     * The connection from this port closed (the client left, often before the worker even accepted it): the worker
     * keeps the loopback address, counts no miss, and never takes the former client for a later connection's.
     */
    static final int CLOSED = 2;
    static final int IPV4 = 4;
    static final int IPV6 = 6;

    /** How often a reader retries a slot being written before it gives up (each try waits a spin hint). */
    static final int MAX_TRIES = 2_000;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /**
     * The answer for the parent's own connections and for connections already closed: not a client's, and not a
     * miss either.
     */
    public static final InetSocketAddress NO_CLIENT = InetSocketAddress.createUnresolved("jcluster-no-client", 0);

    private final ByteBuffer slots;
    /** Parent only: ports claimed by an open connection, one bit each; null in a worker. */
    private final AtomicLongArray claimed;
    private final AtomicInteger nextPort = new AtomicInteger();
    private final int firstPort;
    private final int portCount;

    private ClientAddressTable(ByteBuffer slots, AtomicLongArray claimed, int firstPort, int lastPort) {
        this.slots = slots;
        this.claimed = claimed;
        this.firstPort = firstPort;
        this.portCount = lastPort - firstPort + 1;
        nextPort.set((int) (System.nanoTime() & 0x7fff_ffff) % portCount);
    }

    /**
     * Parent: creates the table in {@code directory} (which must be private to this user), readable and writable by
     * this user only. Ports are claimed from the kernel's ephemeral range.
     */
    public static ClientAddressTable create(Path directory) throws IOException {
        Path file = directory.resolve(FILE_NAME);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            int[] range = EphemeralPorts.range();
            return new ClientAddressTable(mapped, new AtomicLongArray(SLOTS / 64), range[0], range[1]);
        }
    }

    /** Worker: the parent's table in {@code directory}, read-only; null when there is none (balancer=kernel). */
    public static ClientAddressTable open(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() < SIZE) {
                return null;
            }
            return new ClientAddressTable(channel.map(FileChannel.MapMode.READ_ONLY, 0, SIZE), null, 1, SLOTS - 1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** For tests: a table in memory, with ports claimed from {@code firstPort..lastPort}. */
    static ClientAddressTable inMemory(int firstPort, int lastPort) {
        return new ClientAddressTable(ByteBuffer.allocateDirect(SIZE), new AtomicLongArray(SLOTS / 64), firstPort,
                lastPort);
    }

    /**
     * Parent: a local port for a new connection to a worker, held by nobody else in this parent, or -1 when none is
     * free. Bind it with SO_REUSEADDR (a port of an earlier connection may be in TIME_WAIT; the kernel still refuses
     * a four-tuple in use), then {@link #publish}, then connect; {@link #release} it when the connection closes, or
     * at once if the bind fails (another process holds the port: claim another).
     */
    public int claim() {
        for (int tries = 0; tries < portCount; tries++) {
            int port = firstPort + Math.floorMod(nextPort.getAndIncrement(), portCount);
            int word = port >>> 6;
            long bit = 1L << (port & 63);
            long bits = claimed.get(word);
            if ((bits & bit) == 0 && claimed.compareAndSet(word, bits, bits | bit)) {
                return port;
            }
        }
        return -1;
    }

    /**
     * Parent: the connection from {@code localPort} to {@code workerPort} carries {@code client}'s traffic. A null
     * or unresolved {@code client} is one that already left (its address can no longer be asked for): the worker
     * keeps the loopback address and counts no miss.
     */
    public void publish(int localPort, int workerPort, InetSocketAddress client) {
        InetAddress address = client == null ? null : client.getAddress();
        if (address == null) {
            write(localPort, CLOSED, workerPort, 0, null);
        } else {
            write(localPort, address instanceof Inet4Address ? IPV4 : IPV6, workerPort, client.getPort(),
                    address.getAddress());
        }
    }

    /** Parent: the connection from {@code localPort} to {@code workerPort} is the parent's own (a health probe). */
    public void publishParent(int localPort, int workerPort) {
        write(localPort, PARENT, workerPort, 0, null);
    }

    /**
     * Parent: the connection that claimed {@code localPort} is closed (or never connected): mark its slot closed,
     * free the port. The worker may accept a connection after the parent closed it (a client that connects and
     * leaves at once, a health probe): it then finds the mark, not a miss. A mark of the parent's own connection
     * stays as it is. The client's address is gone from the slot: a later connection from the port that was not
     * published (the parent could not bind a port for it) can never be taken for the former client's.
     */
    public void release(int localPort) {
        int slot = localPort * SLOT_BYTES;
        if ((int) INT.get(slots, slot + KIND) != PARENT) {
            write(localPort, CLOSED, (int) INT.get(slots, slot + WORKER_PORT), 0, null);
        }
        int word = localPort >>> 6;
        long bit = 1L << (localPort & 63);
        long bits;
        do {
            bits = claimed.get(word);
        } while (!claimed.compareAndSet(word, bits, bits & ~bit));
    }

    /** Single writer per slot: the port's claim makes it so. */
    private void write(int port, int kind, int workerPort, int clientPort, byte[] address) {
        int slot = port * SLOT_BYTES;
        int sequence = (int) INT.get(slots, slot + SEQUENCE);
        INT.setOpaque(slots, slot + SEQUENCE, sequence + 1);
        VarHandle.storeStoreFence();
        INT.set(slots, slot + KIND, kind);
        INT.set(slots, slot + WORKER_PORT, workerPort);
        INT.set(slots, slot + CLIENT_PORT, clientPort);
        for (int i = 0; i < 4; i++) {
            INT.set(slots, slot + ADDRESS + 4 * i, address == null ? 0 : packed(address, 4 * i));
        }
        INT.setRelease(slots, slot + SEQUENCE, sequence + 2);
    }

    /** Four bytes of {@code address} from {@code offset} as they lie in memory (zeros past its end). */
    private static int packed(byte[] address, int offset) {
        if (offset >= address.length) {
            return 0;
        }
        ByteBuffer four = ByteBuffer.wrap(address, offset, 4).order(ByteOrder.nativeOrder());
        return four.getInt();
    }

    /**
     * Worker: the client whose connection arrives from 127.0.0.1:{@code peerPort} at {@code workerPort};
     * {@link #NO_CLIENT} for the parent's own connections and for connections the parent already closed; null when
     * the table has no entry for it (a connection from another process, or one the parent could not bind), or the
     * slot kept changing while read.
     */
    public InetSocketAddress lookup(int peerPort, int workerPort) {
        if (peerPort <= 0 || peerPort >= SLOTS) {
            return null;
        }
        int slot = peerPort * SLOT_BYTES;
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            int before = (int) INT.getAcquire(slots, slot + SEQUENCE);
            if ((before & 1) == 0) {
                int kind = (int) INT.get(slots, slot + KIND);
                int port = (int) INT.get(slots, slot + WORKER_PORT);
                int clientPort = (int) INT.get(slots, slot + CLIENT_PORT);
                int a0 = (int) INT.get(slots, slot + ADDRESS);
                int a1 = (int) INT.get(slots, slot + ADDRESS + 4);
                int a2 = (int) INT.get(slots, slot + ADDRESS + 8);
                int a3 = (int) INT.get(slots, slot + ADDRESS + 12);
                VarHandle.loadLoadFence();
                if ((int) INT.getOpaque(slots, slot + SEQUENCE) == before) {
                    return port != workerPort ? null : entry(kind, clientPort, a0, a1, a2, a3);
                }
            }
            Thread.onSpinWait();
        }
        return null;
    }

    private static InetSocketAddress entry(int kind, int clientPort, int a0, int a1, int a2, int a3) {
        if (kind == PARENT || kind == CLOSED) {
            return NO_CLIENT;
        }
        if ((kind != IPV4 && kind != IPV6) || clientPort <= 0 || clientPort > 65_535) {
            return null;
        }
        ByteBuffer bytes = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(a0).putInt(a1).putInt(a2)
                .putInt(a3);
        byte[] address = new byte[kind == IPV4 ? 4 : 16];
        bytes.flip();
        bytes.get(address);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), clientPort);
        } catch (UnknownHostException e) {
            return null; // cannot happen: the length is 4 or 16
        }
    }

    /** The kernel's ephemeral port range (Linux), else its default. */
    static final class EphemeralPorts {
        private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

        private EphemeralPorts() {
        }

        static int[] range() {
            try {
                String[] words = Files.readString(RANGE).trim().split("\\s+");
                int first = Integer.parseInt(words[0]);
                int last = Integer.parseInt(words[1]);
                if (first >= 1024 && last < SLOTS && first < last) {
                    return new int[]{first, last};
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: the Linux default
            }
            return new int[]{32_768, 60_999};
        }
    }
}
