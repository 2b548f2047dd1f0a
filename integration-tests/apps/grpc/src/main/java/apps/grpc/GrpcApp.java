package apps.grpc;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain grpc-java server: {@code java -jar app.jar PORT [default|epoll|nio]}. {@code default} lets grpc-netty-shaded
 * pick its transport as it does for every user (its shaded native epoll where it loads, else NIO); the others force
 * one. Methods of service {@code Echo} (messages are UTF-8 text, see {@link Echo}):
 * <ul>
 *   <li>{@code Who} (unary): answers {@code "<pid> <worker>"}, the worker being the system property
 *       {@code jcluster.worker.id} ({@code -} without the agent);</li>
 *   <li>{@code Slow} (unary): the request is a number of milliseconds; answers {@code "<pid> <worker>"} after them;</li>
 *   <li>{@code Busy} (unary): answers {@code "<pid> <worker> <n>"}, n being the Slow calls this process has not
 *       answered yet;</li>
 *   <li>{@code Ticks} (server streaming): the request is {@code "<count>"} or {@code "<count> <interval ms>"}
 *       (default 100 ms); sends {@code "<pid> <worker> <i>"} for i = 0..count-1, one each interval, then completes.</li>
 * </ul>
 * On SIGTERM it shuts down as a real server should: no new calls, the calls in flight finish (up to 30 s).
 */
public final class GrpcApp {

    private static final String WHO = ProcessHandle.current().pid() + " " + System.getProperty("jcluster.worker.id", "-");
    private static final AtomicInteger SLOW_IN_FLIGHT = new AtomicInteger();

    private GrpcApp() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 50051;
        String transport = args.length > 1 ? args[1] : "default";
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "echo-timer");
            thread.setDaemon(true);
            return thread;
        });
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(port));
        switch (transport) {
            case "default" -> { }
            case "epoll" -> {
                Epoll.ensureAvailability();
                EventLoopGroup boss = new EpollEventLoopGroup(1);
                EventLoopGroup workers = new EpollEventLoopGroup(2);
                builder.channelType(EpollServerSocketChannel.class).bossEventLoopGroup(boss).workerEventLoopGroup(workers);
            }
            case "nio" -> {
                EventLoopGroup boss = new NioEventLoopGroup(1);
                EventLoopGroup workers = new NioEventLoopGroup(2);
                builder.channelType(NioServerSocketChannel.class).bossEventLoopGroup(boss).workerEventLoopGroup(workers);
            }
            default -> throw new IllegalArgumentException("transport: default, epoll or nio, not " + transport);
        }
        Server server = builder.addService(service(timer)).build().start();
        System.out.println("grpc app (" + transport + (transport.equals("default") && Epoll.isAvailable()
                ? ", epoll available" : "") + ") pid " + WHO + " listening on " + server.getListenSockets());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("grpc app pid " + WHO + " stopping: no new calls, those in flight may finish");
            server.shutdown();
            try {
                if (!server.awaitTermination(30, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
            } catch (InterruptedException e) {
                server.shutdownNow();
            }
            System.out.println("grpc app pid " + WHO + " stopped");
        }, "grpc-shutdown"));
        server.awaitTermination();
    }

    static ServerServiceDefinition service(ScheduledExecutorService timer) {
        return ServerServiceDefinition.builder(Echo.SERVICE)
                .addMethod(Echo.WHO, ServerCalls.asyncUnaryCall((request, response) -> answer(response, WHO)))
                .addMethod(Echo.SLOW, ServerCalls.asyncUnaryCall((request, response) -> {
                    long ms = Long.parseLong(request.trim());
                    SLOW_IN_FLIGHT.incrementAndGet();
                    timer.schedule(() -> {
                        SLOW_IN_FLIGHT.decrementAndGet();
                        answer(response, WHO);
                    }, ms, TimeUnit.MILLISECONDS);
                }))
                .addMethod(Echo.BUSY, ServerCalls.asyncUnaryCall((request, response) ->
                        answer(response, WHO + " " + SLOW_IN_FLIGHT.get())))
                .addMethod(Echo.TICKS, ServerCalls.asyncServerStreamingCall((request, response) ->
                        ticks(request, (ServerCallStreamObserver<String>) response, timer)))
                .build();
    }

    private static void answer(StreamObserver<String> response, String message) {
        response.onNext(message);
        response.onCompleted();
    }

    private static void ticks(String request, ServerCallStreamObserver<String> response, ScheduledExecutorService timer) {
        String[] words = request.trim().split(" ");
        int count = Integer.parseInt(words[0]);
        long interval = words.length > 1 ? Long.parseLong(words[1]) : 100;
        if (count < 1 || count > 100_000 || interval < 1 || interval > 60_000) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("count 1..100000, interval 1..60000 ms")
                    .asRuntimeException());
            return;
        }
        response.setOnCancelHandler(() -> { }); // a cancelled stream just stops ticking (Tick checks isCancelled)
        // the first tick at once: the client learns who serves the stream before it waits on the others
        new Tick(response, timer, count, interval, System.nanoTime()).run();
    }

    /** Sends tick i, then schedules tick i+1 at start + (i+1) x interval (no drift), unless the client cancelled. */
    private record Tick(ServerCallStreamObserver<String> response, ScheduledExecutorService timer, int count,
                        long interval, long start, int i) implements Runnable {

        Tick(ServerCallStreamObserver<String> response, ScheduledExecutorService timer, int count, long interval,
             long start) {
            this(response, timer, count, interval, start, 0);
        }

        @Override
        public void run() {
            if (response.isCancelled()) {
                return;
            }
            response.onNext(WHO + " " + i);
            if (i == count - 1) {
                response.onCompleted();
                return;
            }
            long due = start + TimeUnit.MILLISECONDS.toNanos(interval * (i + 1));
            timer.schedule(new Tick(response, timer, count, interval, start, i + 1), due - System.nanoTime(),
                    TimeUnit.NANOSECONDS);
        }
    }
}
