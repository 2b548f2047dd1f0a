package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerSharesTest {

    private static final long GIB = 1024L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void withoutUserChoicesEachWorkerGetsItsShareOfProcessorsAndTheDefaultHeap() {
        WorkerShares shares = WorkerShares.of(List.of("java", "-jar", "app.jar", "-Xmx1g"), Map.of(), 4, 8, 4 * GIB);
        assertEquals(List.of("-XX:ActiveProcessorCount=2", "-XX:MaxRAMPercentage=6.25"), shares.flags(),
                "an -Xmx after the jar is the app's argument, not the JVM's");
        assertEquals(2, shares.notes().size());
        assertTrue(shares.notes().get(0).contains("8 processors shared by 4 workers"), shares.notes().get(0));
        assertTrue(shares.notes().get(1).contains("about 1024 MiB"), shares.notes().get(1));
    }

    @Test
    void moreWorkersThanProcessorsStillGetOneEach() {
        WorkerShares shares = WorkerShares.of(List.of("java", "-cp", "a", "Main"), Map.of(), 4, 2, GIB);
        assertEquals(List.of("-XX:ActiveProcessorCount=1", "-XX:MaxRAMPercentage=6.25"), shares.flags());
    }

    @Test
    void oddSplitsAreWrittenAsTheJvmParsesThem() {
        assertEquals("8.333", WorkerShares.percentage(25.0 / 3));
        assertEquals("12.5", WorkerShares.percentage(12.5));
        assertEquals("5", WorkerShares.percentage(5));
        assertEquals(List.of("-XX:ActiveProcessorCount=1", "-XX:MaxRAMPercentage=8.333"),
                WorkerShares.of(List.of("java", "Main"), Map.of(), 3, 3, GIB).flags());
    }

    @Test
    void aSingleWorkerKeepsTheJvmDefaults() {
        WorkerShares shares = WorkerShares.of(List.of("java", "-jar", "app.jar"), Map.of(), 1, 8, GIB);
        assertEquals(List.of(), shares.flags());
        assertEquals(List.of(), shares.notes());
    }

    @Test
    void theUsersOwnChoiceWinsWhereverItWasGiven() {
        for (String heap : List.of("-Xmx512m", "-XX:MaxHeapSize=1g", "-XX:MaxRAMPercentage=50", "-XX:MaxRAM=4g",
                "-XX:MaxRAMFraction=2", "-XX:MinRAMPercentage=40")) {
            assertEquals(List.of("-XX:ActiveProcessorCount=2"),
                    WorkerShares.of(List.of("java", heap, "-jar", "app.jar"), Map.of(), 2, 4, GIB).flags(), heap);
        }
        assertEquals(List.of("-XX:MaxRAMPercentage=12.5"),
                WorkerShares.of(List.of("java", "-XX:ActiveProcessorCount=3", "Main"), Map.of(), 2, 4, GIB).flags());
        assertEquals(List.of(), WorkerShares.of(List.of("java", "Main"),
                Map.of("JAVA_TOOL_OPTIONS", " -Xmx256m  -XX:ActiveProcessorCount=1"), 2, 4, GIB).flags());
        assertEquals(List.of("-XX:ActiveProcessorCount=2"), WorkerShares.of(List.of("java", "Main"),
                Map.of("JDK_JAVA_OPTIONS", "-Xmx256m"), 2, 4, GIB).flags());
    }

    @Test
    void addedFlagsGoFirstSoTheUsersOptionsStillFollowThem() throws IOException {
        List<String> argv = List.of("/jdk/bin/java", "-javaagent:jcluster.jar", "-Dx=1", "-jar", "app.jar", "8080");
        WorkerCommand command = new WorkerCommand(argv, dir).adding(List.of("-XX:ActiveProcessorCount=1"));
        assertEquals(List.of("/jdk/bin/java", "-XX:ActiveProcessorCount=1", "-javaagent:jcluster.jar", "-Dx=1", "-jar",
                "app.jar", "8080"), command.forWorker(1));
        assertEquals(List.of(), command.differences(1), "the added flags are logged once, not per worker");
    }
}
