package io.jcluster.it;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.jcluster.it.ClusterProcess.STARTUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A worker carries as little of jcluster as possible: its bind hooks arrive ready-made from the parent, so it
 * loads neither Byte Buddy nor Netty (the app may bring its own of either); Byte Buddy only when the app's own
 * Netty native server channel needs hooking.
 */
@Timeout(120)
class WorkerFootprintIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jcluster.it.Jdk#all")
    void workersLoadNoShadedLibrary(Jdk jdk) throws Exception {
        int port = FreePorts.tcp();
        Path dir = Files.createTempDirectory("jcluster-footprint");
        Path log = dir.resolve("classes.log");
        try (ClusterProcess cluster = ClusterProcess.on(jdk)
                .jvmFlags("-Xlog:class+load=info:file=" + log)
                .agentArgs("processes=1")
                .mainClass("samples.hello.HelloServer")
                .args(Integer.toString(port))
                .start()) {
            cluster.awaitWorkers(1, STARTUP);
            assertEquals(1, cluster.awaitAnswering(port, 1, STARTUP).size());
            Path workerLog = dir.resolve("classes-w0.log"); // the worker's copy of the option names its own file
            assertTrue(Files.exists(workerLog), "worker 0 logs its classes to " + workerLog + "\n" + cluster.describe());
            List<String> loaded = Files.readAllLines(workerLog);
            List<String> shaded = loaded.stream().filter(line -> line.contains(" io.jcluster.shaded."))
                    .limit(5).collect(Collectors.toList());
            assertEquals(List.of(), shaded, "a worker loaded shaded library classes");
            assertTrue(loaded.stream().anyMatch(line -> line.contains(" io.jcluster.bootstrap.BindRewrite ")),
                    "the class log is complete enough to show jcluster's own worker classes");
        } finally {
            deleteWithFiles(dir);
        }
    }

    /**
     * An app with its own Netty on NIO loads hundreds of io/netty/channel classes, and still no Byte Buddy: the
     * native-transport hook looks at class names alone and wakes only for a native server channel, as in the
     * epoll app, whose worker then does load it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nettyTransports")
    void byteBuddyLoadsInAWorkerOnlyForTheAppsNativeNetty(Stack stack, boolean expectByteBuddy) throws Exception {
        int port = FreePorts.tcp();
        Path dir = Files.createTempDirectory("jcluster-footprint");
        Path log = dir.resolve("classes.log");
        Path workerLog = dir.resolve("classes-w0.log");
        try (ClusterProcess cluster = ClusterProcess.on(Jdk.jdk17())
                .jvmFlags("-Xlog:class+load=info:file=" + log)
                .agentArgs("processes=1")
                .launch(stack.launch(port).toArray(String[]::new))
                .start()) {
            cluster.awaitWorkers(1, STARTUP);
            assertEquals(1, cluster.awaitAnswering(port, 1, STARTUP).size());
            List<String> loaded = Files.readAllLines(workerLog);
            assertTrue(loaded.stream().anyMatch(line -> line.contains(" io.netty.channel.")), "the app's Netty loaded");
            boolean byteBuddy = loaded.stream().anyMatch(line -> line.contains(" io.jcluster.shaded.net.bytebuddy."));
            assertEquals(expectByteBuddy, byteBuddy, stack + ": Byte Buddy loaded in the worker");
        } finally {
            deleteWithFiles(dir);
        }
    }

    /**
     * The directory and every file in it: a JVM that opens an -Xlog file that exists keeps the old one as
     * {@code NAME.0}, which a parent that restarts itself in place (JDK 22+) does.
     */
    private static void deleteWithFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }

    static Stream<Arguments> nettyTransports() {
        return Stream.of(Arguments.of(Stack.NETTY_NIO, false), Arguments.of(Stack.NETTY_EPOLL, true));
    }
}
