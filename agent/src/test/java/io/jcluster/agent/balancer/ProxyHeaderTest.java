package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options.ProxyProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The PROXY headers as the spec's examples write them, and as Netty's own decoder (not ours) reads them. */
class ProxyHeaderTest {

    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("192.0.2.2", 54321);
    private static final InetSocketAddress LISTENER4 = new InetSocketAddress("127.0.0.1", 9000);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::7", 40000);
    private static final InetSocketAddress LISTENER6 = new InetSocketAddress("::1", 443);

    private static ByteBuf encode(ProxyProtocol version, SocketAddress client, SocketAddress server) {
        return ProxyHeader.encode(ByteBufAllocator.DEFAULT, version, client, server);
    }

    private static String text(ByteBuf header) {
        try {
            return header.toString(StandardCharsets.US_ASCII);
        } finally {
            header.release();
        }
    }

    @Test
    void v1IsOneLineOfText() {
        assertEquals("PROXY TCP4 192.0.2.2 127.0.0.1 54321 9000\r\n", text(encode(ProxyProtocol.V1, CLIENT4, LISTENER4)));
        assertEquals("PROXY TCP6 2001:db8::7 ::1 40000 443\r\n", text(encode(ProxyProtocol.V1, CLIENT6, LISTENER6)));
        // a family mix (an IPv4 client on an IPv6 socket's other end) is written as TCP6, the IPv4 side mapped
        assertEquals("PROXY TCP6 ::ffff:192.0.2.2 ::1 54321 443\r\n", text(encode(ProxyProtocol.V1, CLIENT4, LISTENER6)));
        assertEquals("PROXY UNKNOWN\r\n", text(encode(ProxyProtocol.V1, null, LISTENER4)));
    }

    @Test
    void v2IsTheSignatureThenTheAddressesInBinary() {
        ByteBuf header = encode(ProxyProtocol.V2, CLIENT4, LISTENER4);
        byte[] expected = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
                0x21, 0x11, 0x00, 0x0C,
                (byte) 192, 0, 2, 2, 127, 0, 0, 1,
                (byte) (54321 >> 8), (byte) 54321, (byte) (9000 >> 8), (byte) 9000};
        assertArrayEquals(expected, ByteBufUtil.getBytes(header));
        header.release();
        ByteBuf local = encode(ProxyProtocol.V2, null, null);
        assertEquals(16, local.readableBytes());
        assertEquals(0x20, local.getByte(12), "no client to name: command LOCAL");
        local.release();
    }

    @Test
    void nettysDecoderReadsWhatIsWritten() {
        for (ProxyProtocol version : new ProxyProtocol[] {ProxyProtocol.V1, ProxyProtocol.V2}) {
            assertDecodes(version, CLIENT4, LISTENER4, HAProxyProxiedProtocol.TCP4, "192.0.2.2", "127.0.0.1");
            assertDecodes(version, CLIENT6, LISTENER6, HAProxyProxiedProtocol.TCP6, "2001:db8::7", "::1");
        }
    }

    private static void assertDecodes(ProxyProtocol version, InetSocketAddress client, InetSocketAddress server,
                                      HAProxyProxiedProtocol protocol, String source, String destination) {
        EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder());
        channel.writeInbound(encode(version, client, server));
        HAProxyMessage message = channel.readInbound();
        try {
            assertEquals(HAProxyCommand.PROXY, message.command(), version.toString());
            assertEquals(protocol, message.proxiedProtocol(), version.toString());
            assertEquals(source, compact(message.sourceAddress()), version.toString());
            assertEquals(destination, compact(message.destinationAddress()), version.toString());
            assertEquals(client.getPort(), message.sourcePort(), version.toString());
            assertEquals(server.getPort(), message.destinationPort(), version.toString());
        } finally {
            message.release();
            channel.finishAndReleaseAll();
        }
    }

    /** The decoder gives v2's IPv6 addresses in full form: compare addresses, not spellings. */
    private static String compact(String address) {
        return io.netty.util.NetUtil.toAddressString(io.netty.util.NetUtil.createInetAddressFromIpAddressString(address));
    }
}
