package io.jcluster.agent.http.grpc;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.balancer.SelectionStrategy;
import io.jcluster.agent.balancer.Upstream;
import io.jcluster.agent.config.TrustedProxies;
import io.jcluster.agent.http.h2.H2TestClient;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalServerChannel;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP/2 limits of a client connection hold in mode=grpc too (the frontend's h2c path, driven by raw frames on an
 * EmbeddedChannel): the h2 package's codec set-up, not a copy of it.
 */
class GrpcLimitsTest {

    /** A worker whose connect never completes: each call stays open, waiting for it. */
    private static final class PendingWorker implements Upstream {
        final Backend backend = new Backend(0, new InetSocketAddress("127.0.0.1", 9));
        EmbeddedChannel server;
        int connects;

        @Override
        public Backend[] backends() {
            return new Backend[] {backend};
        }

        @Override
        public SelectionStrategy strategy() {
            return SelectionStrategy.roundRobin();
        }

        @Override
        public Bootstrap connector(EventLoop loop) {
            throw new AssertionError("not used");
        }

        @Override
        public ChannelFuture connectShared(EventLoop loop, Backend target) {
            connects++;
            return server.newPromise(); // never completes
        }

        @Override
        public ChannelFuture connect(Channel client, Backend target) {
            throw new AssertionError("grpc mode connects shared connections only");
        }

        @Override
        public void connectFailed(Backend target, Throwable cause) {
        }

        @Override
        public void noBackendAvailable() {
        }

        @Override
        public void transferred(Backend target, long fromClient, long toClient) {
        }

        @Override
        public int port() {
            return 50051;
        }

        @Override
        public String describe() {
            return "127.0.0.1:50051";
        }
    }

    private static H2TestClient connect(int maxStreams, PendingWorker worker) {
        EmbeddedChannel server = new EmbeddedChannel(new LocalServerChannel(), DefaultChannelId.newInstance(), true,
                false);
        server.config().setAutoRead(false);
        worker.server = server;
        GrpcFrontend.plain(GrpcRig.limits(maxStreams), TrustedProxies.NONE, null).serve(server, worker);
        return new H2TestClient(server).preface().send();
    }

    @Test
    void maxConcurrentStreamsRefusesOneMoreCall() {
        PendingWorker worker = new PendingWorker();
        H2TestClient client = connect(2, worker);
        for (int stream = 1; stream <= 5; stream += 2) {
            client.headers(stream, GrpcRig.call("/x.X/Y"), false);
        }
        client.send();
        assertTrue(client.sawFrame("RST 5 REFUSED_STREAM"), client.frames::toString);
        assertFalse(client.sawFrame("RST 1") || client.sawFrame("RST 3"), client.frames::toString);
        assertEquals(1, worker.connects, "both calls wait for the one worker connection");
    }

    /** CVE-2023-44487: calls opened and reset at once, never counting against max-concurrent-streams. */
    @Test
    void rapidResetClosesTheConnection() {
        PendingWorker worker = new PendingWorker();
        H2TestClient client = connect(100, worker);
        int stream = 1;
        for (int i = 0; i < 250; i++, stream += 2) {
            client.headers(stream, GrpcRig.call("/x.X/Y"), false).reset(stream);
        }
        client.send();
        assertTrue(client.sawFrame("GOAWAY") && client.frames.stream().anyMatch(f -> f.contains("ENHANCE_YOUR_CALM")),
                client.frames.subList(Math.max(0, client.frames.size() - 3), client.frames.size())::toString);
        assertFalse(client.server.isOpen());
    }

    @Test
    void anHttp11ConnectionIsToldGrpcNeedsHttp2() {
        PendingWorker worker = new PendingWorker();
        EmbeddedChannel server = new EmbeddedChannel(new LocalServerChannel(), DefaultChannelId.newInstance(), true,
                false);
        worker.server = server;
        GrpcFrontend.plain(GrpcRig.limits(100), TrustedProxies.NONE, null).serve(server, worker);
        server.writeInbound(GrpcRig.text("GET / HTTP/1.1\r\nhost: a\r\n\r\n"));
        io.netty.buffer.ByteBuf answer = server.readOutbound();
        String text = answer.toString(java.nio.charset.StandardCharsets.US_ASCII);
        answer.release();
        assertTrue(text.startsWith("HTTP/1.1 505 ") && text.contains("needs HTTP/2"), text);
        assertFalse(server.isOpen());
        assertEquals(0, worker.connects);
    }
}
