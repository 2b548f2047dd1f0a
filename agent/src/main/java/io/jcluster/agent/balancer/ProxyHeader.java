package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options.ProxyProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The PROXY protocol header that starts a backend connection with {@code proxy-protocol=v1|v2} (HAProxy's
 * proxy-protocol.txt, what its {@code send-proxy} and {@code send-proxy-v2} write): the client's address and port as
 * the source, the address and port the client connected to as the destination.
 *
 * <p>Written here rather than with netty-codec-haproxy's {@code HAProxyMessageEncoder}: that one takes the addresses
 * as strings it parses and validates again, and a message object per connection, to write at most 107 bytes.
 * {@code ProxyHeaderTest} checks these bytes with that codec's decoder.
 */
final class ProxyHeader {

    /** proxy-protocol.txt 2.2: the 12 bytes every v2 header starts with. */
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** Version 2, command PROXY (the connection was relayed on behalf of another node). */
    private static final int V2_PROXY = 0x21;
    /** Version 2, command LOCAL (no client to name: the receiver uses the real connection endpoints). */
    private static final int V2_LOCAL = 0x20;
    private static final int TCP_OVER_IPV4 = 0x11;
    private static final int TCP_OVER_IPV6 = 0x21;
    private static final int UNSPECIFIED = 0x00;

    private ProxyHeader() {
    }

    /**
     * The header for a client connection from {@code client} to {@code server} (its remote and local address), or
     * for a connection whose addresses are unknown (null, or not IP): v1 {@code PROXY UNKNOWN}, v2 LOCAL.
     */
    static ByteBuf encode(ByteBufAllocator alloc, ProxyProtocol version, SocketAddress client, SocketAddress server) {
        InetSocketAddress source = client instanceof InetSocketAddress ? (InetSocketAddress) client : null;
        InetSocketAddress destination = server instanceof InetSocketAddress ? (InetSocketAddress) server : null;
        boolean known = source != null && destination != null && !source.isUnresolved() && !destination.isUnresolved();
        return version == ProxyProtocol.V1 ? v1(alloc, known ? source : null, destination)
                : v2(alloc, known ? source : null, destination);
    }

    /** proxy-protocol.txt 2.1: {@code PROXY TCP4 src dst sport dport\r\n}, at most 107 bytes. */
    private static ByteBuf v1(ByteBufAllocator alloc, InetSocketAddress source, InetSocketAddress destination) {
        ByteBuf out = alloc.buffer(108);
        if (source == null) {
            ByteBufUtil.writeAscii(out, "PROXY UNKNOWN\r\n");
            return out;
        }
        boolean ipv4 = bothIpv4(source, destination);
        ByteBufUtil.writeAscii(out, ipv4 ? "PROXY TCP4 " : "PROXY TCP6 ");
        ByteBufUtil.writeAscii(out, text(source.getAddress(), ipv4));
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, text(destination.getAddress(), ipv4));
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, Integer.toString(source.getPort()));
        out.writeByte(' ');
        ByteBufUtil.writeAscii(out, Integer.toString(destination.getPort()));
        out.writeByte('\r').writeByte('\n');
        return out;
    }

    /** proxy-protocol.txt 2.2: signature, version and command, family, length, then the addresses and ports. */
    private static ByteBuf v2(ByteBufAllocator alloc, InetSocketAddress source, InetSocketAddress destination) {
        ByteBuf out = alloc.buffer(16 + 36);
        out.writeBytes(V2_SIGNATURE);
        if (source == null) {
            out.writeByte(V2_LOCAL).writeByte(UNSPECIFIED).writeShort(0);
            return out;
        }
        boolean ipv4 = bothIpv4(source, destination);
        out.writeByte(V2_PROXY).writeByte(ipv4 ? TCP_OVER_IPV4 : TCP_OVER_IPV6).writeShort(ipv4 ? 12 : 36);
        out.writeBytes(bytes(source.getAddress(), ipv4));
        out.writeBytes(bytes(destination.getAddress(), ipv4));
        out.writeShort(source.getPort());
        out.writeShort(destination.getPort());
        return out;
    }

    private static boolean bothIpv4(InetSocketAddress source, InetSocketAddress destination) {
        return source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
    }

    /** The address as the header's family has it: an IPv4 address in a TCP6 header is written IPv4-mapped. */
    private static byte[] bytes(InetAddress address, boolean ipv4) {
        byte[] raw = address.getAddress();
        if (ipv4 || raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    /** RFC 5952 text without a scope id (v1 addresses are parsed with inet_pton, which knows none). */
    private static String text(InetAddress address, boolean ipv4) {
        if (!ipv4 && address instanceof Inet4Address) {
            return "::ffff:" + address.getHostAddress();
        }
        return NetUtil.toAddressString(address);
    }
}
