package io.jcluster.agent.balancer;

import io.jcluster.agent.config.Options.TransportChoice;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 18's epoll timeouts at 2,000 connections: the listening socket took one connection per event-loop
 * wake-up, so a connect storm waited in the accept queue behind the relays on the same loop. Here the loop is
 * held while connections queue up, then released: its first wake-up must take them all in one batch.
 */
class ListenerAcceptBatchTest {

    private static final int QUEUED = 40; // below Listener.ACCEPT_BATCH: one wake-up takes them all

    @Test
    void oneWakeUpOfAnEpollListenerAcceptsEveryQueuedConnection() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here: " + Epoll.unavailabilityCause());
        assertTrue(QUEUED <= Listener.ACCEPT_BATCH);
        Transport transport = Transport.choose(TransportChoice.EPOLL);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlers);
        List<Integer> batches = new CopyOnWriteArrayList<>();
        List<Socket> clients = new ArrayList<>();
        try {
            ServerBootstrap server = new ServerBootstrap();
            Listener.accepting(server);
            Channel listening = server.group(group)
                    .channelFactory(transport.serverChannels)
                    .handler(new BatchCounter(batches))
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch held = new CountDownLatch(1);
            listening.eventLoop().execute(() -> {
                held.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS); // bounded: the test fails rather than hangs
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(held.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < QUEUED; i++) {
                Socket client = new Socket();
                clients.add(client);
                client.connect(listening.localAddress(), 5_000); // completed by the kernel, queued for accept()
            }
            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (batches.stream().mapToInt(Integer::intValue).sum() < QUEUED && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(QUEUED, batches.stream().mapToInt(Integer::intValue).sum(), "accepted: " + batches);
            assertEquals(QUEUED, batches.get(0), "connections accepted per wake-up: " + batches);
            listening.close().sync();
        } finally {
            for (Socket client : clients) {
                client.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Counts the connections the listening channel accepts between two read-completes: one wake-up's batch. */
    private static final class BatchCounter extends ChannelInboundHandlerAdapter {
        private final List<Integer> batches;
        private int accepted;

        BatchCounter(List<Integer> batches) {
            this.batches = batches;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            accepted++;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (accepted > 0) {
                batches.add(accepted);
                accepted = 0;
            }
            ctx.fireChannelReadComplete();
        }
    }
}
