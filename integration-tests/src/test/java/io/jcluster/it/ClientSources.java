package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * Source addresses for test clients. Traffic only ever goes to 127.0.0.1, but a client socket may bind a
 * non-loopback address of this machine as its source: the server then sees that address as its peer, as it would a
 * client from elsewhere. That is how the tests tell "the app sees the real client" from "the app sees the proxy".
 */
final class ClientSources {

    private ClientSources() {
    }

    /** The first IPv4 address of an interface that is up and not loopback; aborts the test loudly when none. */
    static InetAddress nonLoopback() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                        return address;
                    }
                }
            }
        } catch (SocketException e) {
            skip("cannot list network interfaces: " + e);
        }
        skip("this machine has no non-loopback IPv4 address to use as a client's source address");
        return null;
    }

    static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    private static void skip(String reason) {
        System.err.println("\n!!!!! " + reason + ": skipped !!!!!\n");
        Assumptions.abort(reason);
    }

    /** {@code peer <address> <port>}, what the test apps' /peer answers, as "address:port". */
    static String peer(Http.Response response) {
        String body = response.body().trim();
        int at = body.indexOf("peer ");
        if (response.status() != 200 || at < 0) {
            throw new AssertionError("not a /peer answer: " + response);
        }
        String[] parts = body.substring(at + 5).trim().split(" ");
        return parts[0] + ":" + parts[1];
    }

    /** "address:port" of a client socket's own end: what the server should see as its peer. */
    static String text(InetSocketAddress client) {
        return client.getAddress().getHostAddress() + ":" + client.getPort();
    }
}
