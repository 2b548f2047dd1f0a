package io.jcluster.it;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential request-smuggling test (see {@link DesyncHarness}): every input goes through jcluster (mode=http,
 * one worker) to the reference oracle and to five real stacks in recording mode, and to each stack directly.
 * For every input, jcluster must either answer it itself or every stack behind it must parse exactly the requests
 * jcluster forwarded, with the same boundaries.
 *
 * <p>Inputs: the seed corpus ({@code src/test/resources/smuggling/corpus.txt}, known vectors) and jqwik-generated
 * mutations with a fixed seed; their number is {@code jqwik.tries.default} (120 in the ordinary build; the
 * {@code fuzz} profile runs {@code -Dfuzz.tries=N}). A generated input that disagrees is appended to
 * {@code target/desync/smuggling-found.txt} in the corpus notation: add it to the corpus. The report (counts per
 * backend, every disagreement with its bytes and how each stack read it) is printed and written to
 * {@code target/desync/report.txt}. With {@code -Ddesync.collect=true} generated disagreements are collected
 * rather than failing the first try, so that one run lists them all (the corpus always lists them all).
 */
class HttpDesyncIT {

    static final List<Stack> STACKS = List.of(Stack.JDK_HTTP_SERVER, Stack.TOMCAT_NIO, Stack.JETTY, Stack.UNDERTOW,
            Stack.NETTY_NIO);
    private static final boolean COLLECT = Boolean.getBoolean("desync.collect");

    private static DesyncHarness harness;

    @BeforeContainer
    static void startBackends() throws Exception {
        Path dir = Path.of(System.getProperty("jcluster.samples.classes", "target/classes")).resolveSibling("desync");
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("smuggling-found.txt"));
        harness = new DesyncHarness(Jdk.jdk17(), STACKS, dir);
        try {
            harness.start();
        } catch (Throwable e) {
            harness.close();
            harness = null;
            throw e;
        }
    }

    @AfterContainer
    static void stopBackends() throws Exception {
        if (harness == null) {
            return;
        }
        try {
            String report = harness.report();
            System.out.println(report);
            Path dir = Path.of(System.getProperty("jcluster.samples.classes", "target/classes")).resolveSibling("desync");
            Files.writeString(dir.resolve("report.txt"), report);
        } finally {
            harness.close();
            harness = null;
        }
    }

    @Example
    void seedCorpusSplitsTheSameWayEverywhere() {
        List<SmugglingVector> corpus = SmugglingCorpus.load();
        assertTrue(corpus.size() >= 80, "the seed corpus has " + corpus.size() + " vectors");
        StringBuilder failures = new StringBuilder();
        for (SmugglingVector vector : corpus) {
            DesyncHarness.Verdict verdict = harness.check(vector, "corpus");
            if (!verdict.agreed()) {
                failures.append(harness.describe(verdict));
            }
        }
        assertTrue(failures.isEmpty(), "inputs that split differently:\n" + failures);
    }

    @Property(seed = "20261130", shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void generatedMutationsSplitTheSameWayEverywhere(@ForAll("mutations") SmugglingVector vector) {
        DesyncHarness.Verdict verdict = harness.check(vector, "generated");
        if (!verdict.agreed()) {
            harness.keep(vector);
        }
        assertTrue(COLLECT || verdict.agreed(), () -> "split differently:\n" + harness.describe(verdict));
    }

    @Provide
    Arbitrary<SmugglingVector> mutations() {
        return SmugglingMutations.vectors();
    }
}
