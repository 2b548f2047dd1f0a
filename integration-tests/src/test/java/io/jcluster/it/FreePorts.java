package io.jcluster.it;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks ports that are free right now. Ports come from 20000-32000, below Linux's ephemeral
 * range (32768-60999), so the loopback ports the workers get from the kernel never collide with
 * a port a test chose but has not handed to the app yet.
 */
final class FreePorts {

    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** A TCP port nothing listens on (on any address). */
    static synchronized int tcp() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (!HANDED_OUT.contains(port) && tcpFree(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free TCP port found in " + LOW + "-" + HIGH);
    }

    /** A port P such that UDP P and P+1 are free (and TCP too, to keep things unambiguous). */
    static synchronized int udpPair() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH - 1);
            if (!HANDED_OUT.contains(port) && !HANDED_OUT.contains(port + 1)
                    && udpFree(port) && udpFree(port + 1) && tcpFree(port) && tcpFree(port + 1)) {
                HANDED_OUT.add(port);
                HANDED_OUT.add(port + 1);
                return port;
            }
        }
        throw new IllegalStateException("no free UDP port pair found in " + LOW + "-" + HIGH);
    }

    private static boolean tcpFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean udpFree(int port) {
        try {
            new DatagramSocket(new InetSocketAddress(port)).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
