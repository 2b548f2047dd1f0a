package io.jcluster.agent.worker;

import io.jcluster.agent.control.ControlMessage;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two places a clustered bind can go: a private port (balancer=proxy) or the shared port (balancer=kernel). */
class ClusteredBindsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<ControlMessage> toParent = new CopyOnWriteArrayList<>();

    @Test
    void proxyModeMovesTheBindToAPrivateLoopbackPort() {
        ClusteredBinds binds = new PrivatePorts();
        InetSocketAddress requested = new InetSocketAddress(8080);
        assertEquals(new InetSocketAddress(LOOPBACK, 0), binds.rewrite(requested, new Object()));
        assertFalse(binds.isNested(requested));
        assertEquals(0, binds.closeSharedListeners(), "nothing of its own to close");
    }

    @Test
    void kernelModeSharesTheAppsAddressAndClosesItToLeaveRotation() throws Exception {
        ClusteredBinds binds = new SharedPorts(3, toParent::add);
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            InetSocketAddress requested = new InetSocketAddress(LOOPBACK, 0 /* any: the test binds what it gets */);
            SocketAddress bind = binds.rewrite(new InetSocketAddress(LOOPBACK, 1), channel);
            assertEquals(new InetSocketAddress(LOOPBACK, 1), bind, "the address the app asked for");
            assertNotSame(requested, bind);
            assertTrue(binds.isNested(bind), "a nested bind of the same copy is left alone");
            assertTrue(channel.getOption(StandardSocketOptions.SO_REUSEPORT), "shared with the other workers");

            channel.bind(requested);
            binds.bound(bind, channel);
            assertFalse(binds.isNested(bind), "the bind is over");
            assertEquals(1, binds.closeSharedListeners());
            assertFalse(channel.isOpen(), "the kernel gives this worker no new connection");
        }
        assertEquals(List.of(), toParent);
    }

    @Test
    void aSocketThatCannotBeSharedBindsUnchangedAndTheParentIsTold() {
        ClusteredBinds binds = new SharedPorts(3, toParent::add);
        InetSocketAddress requested = new InetSocketAddress(LOOPBACK, 8080);
        assertSame(requested, binds.rewrite(requested, new Object()));
        assertEquals(1, toParent.size());
        assertInstanceOf(ControlMessage.Unshared.class, toParent.get(0));
    }
}
