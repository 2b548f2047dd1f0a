package io.jcluster.agent.standalone;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnJvmFlagsTest {

    private static final List<String> ARGS = List.of("--listen", "9000", "--backend", "127.0.0.1:8081");

    @Test
    void withNoFlagsOfTheUsersAllOfOursComeBeforeJarAndArguments() {
        assertEquals(List.of("/jdk/bin/java", "-XX:+UseSerialGC", "-Xms8m", "-XX:MinHeapFreeRatio=10",
                        "-XX:MaxHeapFreeRatio=30", "-XX:TrimNativeHeapInterval=1000", "-XX:-TieredCompilation",
                        "-jar", "/x/jcluster.jar", "balance", "--listen", "9000", "--backend", "127.0.0.1:8081"),
                OwnJvmFlags.command("/jdk/bin/java", List.of(), "/x/jcluster.jar", ARGS));
    }

    @Test
    void theUsersFlagsAreKeptAfterOursSoTheyWin() {
        List<String> command = OwnJvmFlags.command("java", List.of("-XX:TieredStopAtLevel=1", "-Dx=y",
                "-XX:TrimNativeHeapInterval=0"), "j.jar", ARGS);
        assertEquals(List.of("java", "-XX:+UseSerialGC", "-Xms8m", "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=30", "-XX:TieredStopAtLevel=1", "-Dx=y", "-XX:TrimNativeHeapInterval=0", "-jar",
                "j.jar", "balance"), command.subList(0, 11));
    }

    @Test
    void aCompilerChoiceOfTheUsersReplacesOurs() {
        // -XX:-TieredCompilation would silently override the user's C1-only -XX:TieredStopAtLevel=1
        for (String compiler : List.of("-XX:TieredStopAtLevel=1", "-XX:+TieredCompilation", "-XX:-TieredCompilation")) {
            assertFalse(OwnJvmFlags.added(List.of(compiler)).contains("-XX:-TieredCompilation"), compiler);
        }
        assertTrue(OwnJvmFlags.added(List.of("-XX:CICompilerCount=2")).contains("-XX:-TieredCompilation"));
    }

    @Test
    void eitherHeapFreeRatioOfTheUsersReplacesBothOfOurs() {
        // our MinHeapFreeRatio=10 above a user's MaxHeapFreeRatio=5 would not start
        for (String ratio : List.of("-XX:MaxHeapFreeRatio=5", "-XX:MinHeapFreeRatio=50")) {
            List<String> added = OwnJvmFlags.added(List.of(ratio));
            assertFalse(added.stream().anyMatch(flag -> flag.contains("HeapFreeRatio")), ratio + ": " + added);
            assertTrue(added.contains("-XX:+UseSerialGC"), ratio);
        }
    }

    @Test
    void theRestartedJvmKnowsItIsOne() {
        assertTrue(OwnJvmFlags.restarted(Map.of(OwnJvmFlags.MARKER, "-XX:+UseSerialGC")));
        assertTrue(OwnJvmFlags.restarted(Map.of(OwnJvmFlags.MARKER, "")));
        assertFalse(OwnJvmFlags.restarted(Map.of(OwnJvmFlags.SWITCH, "keep")));
    }

    @Test
    void aCollectorTheUserChoseReplacesOurs() {
        for (String collector : List.of("-XX:+UseG1GC", "-XX:+UseParallelGC", "-XX:+UseZGC", "-XX:-UseSerialGC")) {
            List<String> added = OwnJvmFlags.added(List.of(collector));
            assertFalse(added.contains("-XX:+UseSerialGC"), collector);
            assertTrue(added.contains("-Xms8m"), collector);
        }
    }

    @Test
    void anyHeapSizeTheUserGaveReplacesOurs() {
        // -Xmx4m after our -Xms8m would not even start: initial above maximum
        for (String size : List.of("-Xmx4m", "-Xms1g", "-XX:MaxHeapSize=64m", "-XX:MaxRAMPercentage=10",
                "-XX:InitialRAMPercentage=1", "-XX:MaxRAM=1g", "-XX:MinHeapSize=4m")) {
            assertFalse(OwnJvmFlags.added(List.of(size)).contains("-Xms8m"), size);
        }
        assertTrue(OwnJvmFlags.added(List.of("-Xss256k")).contains("-Xms8m"), "a stack size is not a heap size");
    }

    @Test
    void neverRestartsTwiceAndNotWhenSwitchedOffOrWhenNothingIsLeftToAdd() {
        assertTrue(OwnJvmFlags.wanted(Map.of(), List.of()));
        assertFalse(OwnJvmFlags.wanted(Map.of(OwnJvmFlags.MARKER, "-XX:+UseSerialGC"), List.of()), "restarted once");
        assertFalse(OwnJvmFlags.wanted(Map.of(OwnJvmFlags.MARKER, ""), List.of()), "restarted, nothing added");
        assertFalse(OwnJvmFlags.wanted(Map.of(OwnJvmFlags.SWITCH, "keep"), List.of()));
        assertTrue(OwnJvmFlags.wanted(Map.of(OwnJvmFlags.SWITCH, "other"), List.of()));
        assertFalse(OwnJvmFlags.wanted(Map.of(), List.of("-XX:+UseG1GC", "-Xmx1g", "-XX:MaxHeapFreeRatio=70",
                "-XX:TrimNativeHeapInterval=0", "-XX:TieredStopAtLevel=4")), "the user chose every family");
        assertTrue(OwnJvmFlags.wanted(Map.of(), List.of("-XX:+UseG1GC", "-Xmx1g", "-XX:TrimNativeHeapInterval=0")),
                "the compiler and the ratios are still ours to choose");
    }

    @Test
    void onJdk17To21ItNamesTheFlagsThisJvmHasInsteadOfRestarting() {
        String advice = OwnJvmFlags.advice(17, Map.of(), List.of("-Dx=y"), name -> !name.equals("TrimNativeHeapInterval"));
        assertTrue(advice.contains("give it -XX:+UseSerialGC -Xms8m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"
                + " -XX:-TieredCompilation before -jar"), advice);
        assertFalse(advice.contains("TrimNativeHeapInterval"), "17.0.8 and older would not start with it: " + advice);
        assertTrue(OwnJvmFlags.advice(21, Map.of(), List.of(), name -> true).contains("TrimNativeHeapInterval=1000"));
        assertEquals(null, OwnJvmFlags.advice(25, Map.of(), List.of(), name -> true), "JDK 22+ restarts instead");
        assertEquals(null, OwnJvmFlags.advice(17, Map.of(OwnJvmFlags.SWITCH, "keep"), List.of(), name -> true));
        assertEquals(null, OwnJvmFlags.advice(17, Map.of(), List.of("-XX:+UseG1GC", "-Xmx1g", "-XX:MaxHeapFreeRatio=70",
                "-XX:TrimNativeHeapInterval=0", "-XX:TieredStopAtLevel=4"), name -> true), "the user chose everything");
    }
}
