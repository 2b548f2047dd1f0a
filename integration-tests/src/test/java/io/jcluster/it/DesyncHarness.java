package io.jcluster.it;

import samples.recording.StrictRequestParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The differential request-smuggling harness (HttpDesyncIT): the same bytes go to the reference oracle behind
 * jcluster, to each recording stack behind jcluster, and to each stack directly.
 *
 * <p>The invariant, per input: either jcluster answers it itself, or every backend behind jcluster parses exactly
 * the requests jcluster forwarded, with the same boundaries. jcluster's own view is the oracle's journal: the
 * strict reference parser reads what jcluster forwarded; anything it cannot read as well-framed requests (BAD,
 * PARTIAL) is a disagreement by itself. Each stack behind jcluster must then journal the same requests (method,
 * target, body length and hash, X-Forwarded-For), in order, each answered to the client by its own response, and
 * leave the pooled worker connection in step (the fence). A stack may refuse a request jcluster forwarded with
 * its own error response (it then journals a prefix): that is counted as backend-rejected, not as a
 * disagreement. Direct results are only reported: they show how each stack reads the raw vector.
 */
final class DesyncHarness implements AutoCloseable {

    private static final Pattern RECORD = Pattern.compile(
            "^REC m=(\\S+) t=(\\S+) len=(\\d+) sha=([0-9a-f]{16}) conn=(\\d+) xff=(\\S+)$");
    private static final Pattern ABSOLUTE_FORM = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:%?/?/[^/?]*");

    /** How one input fared on one backend behind jcluster. */
    enum Outcome { JCLUSTER_REJECTED, FORWARDED, BACKEND_REJECTED, DISAGREEMENT }

    /** Counters per backend (and the oracle), for the report. */
    static final class Counts {
        int inputs;
        int jclusterRejected;
        int forwarded;
        int backendRejected;
        int disagreements;
        int flaky;
    }

    /** The verdict on one input. */
    record Verdict(SmugglingVector vector, String origin, Map<String, Outcome> outcomes, List<String> problems,
                   String details) {
        boolean agreed() {
            return problems.isEmpty();
        }
    }

    final String jdk;
    private final DesyncTarget oracle;
    private final Map<String, DesyncTarget> viaJcluster = new LinkedHashMap<>();
    private final Map<String, DesyncTarget> direct = new LinkedHashMap<>();
    private final Map<String, Counts> counts = new LinkedHashMap<>();
    private final List<Verdict> disagreements = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "desync");
        thread.setDaemon(true);
        return thread;
    });
    private final Path dir;
    int corpusInputs;
    int generatedInputs;

    DesyncHarness(Jdk jdk, List<Stack> stacks, Path dir) throws IOException {
        this.jdk = jdk.toString();
        this.dir = Files.createDirectories(dir);
        String agent = "processes=1,mode=http,response-timeout=5s";
        oracle = new DesyncTarget("reference oracle", true, port -> ClusterProcess.on(jdk).agentArgs(agent)
                .mainClass("samples.recording.ReferenceOracle").args(Integer.toString(port)), dir);
        counts.put(oracle.name, new Counts());
        for (Stack stack : stacks) {
            String name = shortName(stack);
            viaJcluster.put(name, new DesyncTarget(name, true,
                    port -> ClusterProcess.on(jdk).agentArgs(agent).launch(stack.launch(port).toArray(String[]::new)), dir));
            direct.put(name, new DesyncTarget(name, false,
                    port -> ClusterProcess.on(jdk).withoutAgent().launch(stack.launch(port).toArray(String[]::new)), dir));
            counts.put(name, new Counts());
        }
    }

    static String shortName(Stack stack) {
        return switch (stack) {
            case JDK_HTTP_SERVER -> "JDK HttpServer";
            case TOMCAT_NIO -> "Tomcat";
            case JETTY -> "Jetty";
            case UNDERTOW -> "Undertow";
            case NETTY_NIO -> "Netty";
            default -> stack.name();
        };
    }

    /** Starts every backend at once and waits until each answers; then warms each up. */
    DesyncHarness start() throws Exception {
        List<DesyncTarget> all = all();
        for (DesyncTarget target : all) {
            target.start();
        }
        parallel(all, target -> {
            target.awaitReady(ClusterProcess.STARTUP.multipliedBy(2));
            return null;
        });
        // the first requests of a fresh JVM are slow (class loading, JIT): warm every stack's paths up, unrecorded
        SmugglingVector warm = new SmugglingVector("warm-up", ("POST /warm HTTP/1.1\r\nHost: w\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /warm HTTP/1.1\r\nHost: w\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "GET /warm HTTP/1.1\r\nHost: w\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < 15; i++) {
            parallel(all, target -> target.run(warm.wire(), DesyncTarget.PATIENT));
        }
        return this;
    }

    private List<DesyncTarget> all() {
        List<DesyncTarget> all = new ArrayList<>();
        all.add(oracle);
        all.addAll(viaJcluster.values());
        all.addAll(direct.values());
        return all;
    }

    /** Runs one input everywhere and judges it; a disagreement is re-run once, patiently, to rule out timing. */
    Verdict check(SmugglingVector vector, String origin) {
        if (origin.equals("corpus")) {
            corpusInputs++;
        } else {
            generatedInputs++;
        }
        Verdict verdict = judge(vector, origin, DesyncTarget.IDLE);
        if (!verdict.agreed()) {
            Verdict again = judge(vector, origin, DesyncTarget.PATIENT);
            if (again.agreed()) {
                System.out.println("[desync] " + vector.name() + ": disagreed, then agreed when re-run patiently: "
                        + verdict.problems());
                for (Map.Entry<String, Outcome> entry : verdict.outcomes().entrySet()) {
                    if (entry.getValue() == Outcome.DISAGREEMENT) {
                        counts.get(entry.getKey()).flaky++;
                    }
                }
            }
            verdict = again;
        }
        for (Map.Entry<String, Outcome> entry : verdict.outcomes().entrySet()) {
            Counts c = counts.get(entry.getKey());
            c.inputs++;
            switch (entry.getValue()) {
                case JCLUSTER_REJECTED -> c.jclusterRejected++;
                case FORWARDED -> c.forwarded++;
                case BACKEND_REJECTED -> c.backendRejected++;
                case DISAGREEMENT -> c.disagreements++;
            }
        }
        if (!verdict.agreed()) {
            disagreements.add(verdict);
            System.out.println(describe(verdict));
        }
        return verdict;
    }

    private Verdict judge(SmugglingVector vector, String origin, Duration idle) {
        byte[] wire = vector.wire();
        Map<DesyncTarget, DesyncTarget.Observation> seen = parallel(all(), target -> target.run(wire, idle));
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        StringBuilder details = new StringBuilder();
        details.append("    strict reading of the raw input: ").append(strictReading(wire)).append('\n');

        DesyncTarget.Observation reference = seen.get(oracle);
        List<String> expected = keys(reference.records());
        details.append("    jcluster forwarded (oracle): ").append(reference.records().isEmpty() ? "nothing"
                : String.join(" | ", expected)).append("; client got ").append(reference.responses()).append('\n');
        boolean jclusterAnswered = !reference.responses().isEmpty()
                && reference.responses().get(reference.responses().size() - 1).kind() == RawResponses.Kind.JCLUSTER;
        List<String> referenceProblems = new ArrayList<>();
        for (String finding : reference.findings()) {
            referenceProblems.add("jcluster forwarded what a strict parser refuses: " + finding);
        }
        referenceProblems.addAll(consistency(reference));
        outcomes.put(oracle.name, !referenceProblems.isEmpty() ? Outcome.DISAGREEMENT
                : expected.isEmpty() && jclusterAnswered ? Outcome.JCLUSTER_REJECTED : Outcome.FORWARDED);
        problems.addAll(referenceProblems);

        for (Map.Entry<String, DesyncTarget> entry : viaJcluster.entrySet()) {
            String name = entry.getKey();
            DesyncTarget.Observation got = seen.get(entry.getValue());
            List<String> mine = consistency(got);
            List<String> actual = keys(got.records());
            boolean rejectedByBackend = false;
            if (!actual.equals(expected)) {
                int appAnswers = 0;
                RawResponses.Response firstOther = null;
                for (RawResponses.Response response : got.responses()) {
                    if (response.kind() != RawResponses.Kind.APP) {
                        firstOther = response;
                        break;
                    }
                    appAnswers++;
                }
                rejectedByBackend = actual.size() < expected.size() && expected.subList(0, actual.size()).equals(actual)
                        && appAnswers == actual.size() && firstOther != null && firstOther.kind() == RawResponses.Kind.OTHER;
                if (!rejectedByBackend) {
                    mine.add("parsed " + (actual.isEmpty() ? "nothing" : String.join(" | ", actual))
                            + " where jcluster forwarded " + (expected.isEmpty() ? "nothing" : String.join(" | ", expected)));
                }
            }
            for (String problem : mine) {
                problems.add(name + " via jcluster: " + problem);
            }
            outcomes.put(name, !mine.isEmpty() ? Outcome.DISAGREEMENT : rejectedByBackend ? Outcome.BACKEND_REJECTED
                    : expected.isEmpty() && jclusterAnswered ? Outcome.JCLUSTER_REJECTED : Outcome.FORWARDED);
            details.append("    ").append(name).append(" via jcluster: ").append(actual.isEmpty() ? "nothing"
                    : String.join(" | ", actual)).append("; client got ").append(got.responses())
                    .append(got.fencesFailed() > 0 ? "; fences failed: " + got.fencesFailed() : "").append('\n');
        }
        for (Map.Entry<String, DesyncTarget> entry : direct.entrySet()) {
            DesyncTarget.Observation got = seen.get(entry.getValue());
            details.append("    ").append(entry.getKey()).append(" direct: ").append(got.records().isEmpty() ? "nothing"
                    : String.join(" | ", keys(got.records()))).append("; client got ").append(got.responses()).append('\n');
        }
        return new Verdict(vector, origin, outcomes, problems, details.toString());
    }

    /** Each record the backend journaled was answered to the client with that record, in order; no stray bytes. */
    private static List<String> consistency(DesyncTarget.Observation got) {
        List<String> problems = new ArrayList<>();
        List<String> answered = new ArrayList<>();
        for (RawResponses.Response response : got.responses()) {
            if (response.kind() == RawResponses.Kind.APP) {
                answered.add(response.record());
            }
        }
        List<String> records = got.records();
        if (answered.size() != records.size()) {
            problems.add("journaled " + records.size() + " requests but the client got " + answered.size()
                    + " app responses");
        } else {
            for (int i = 0; i < records.size(); i++) {
                if (answered.get(i) != null && !key(answered.get(i)).equals(key(records.get(i)))) {
                    problems.add("response " + i + " carries " + answered.get(i) + " for " + records.get(i));
                }
            }
        }
        if (!got.garbage().isEmpty()) {
            problems.add("the client read bytes that are no response: "
                    + StrictRequestParser.escape(got.garbage().getBytes(StandardCharsets.ISO_8859_1)));
        }
        if (got.fencesFailed() > 0) {
            problems.add("the next request on the worker connection (the fence) was not answered as itself "
                    + got.fencesFailed() + " times" + (got.restarted() ? " (restarted)" : ""));
        }
        return problems;
    }

    static List<String> keys(List<String> records) {
        return records.stream().map(DesyncHarness::key).toList();
    }

    /** What identifies a parsed request across stacks: all but the connection; absolute-form targets as origin-form. */
    static String key(String record) {
        Matcher m = RECORD.matcher(record);
        if (!m.matches()) {
            return "UNPARSEABLE(" + record + ")";
        }
        String target = ABSOLUTE_FORM.matcher(m.group(2)).replaceFirst("");
        if (target.isEmpty() || target.startsWith("?")) {
            target = "/" + target;
        }
        return m.group(1) + " " + target + " len=" + m.group(3) + " sha=" + m.group(4).substring(0, 8) + " xff=" + m.group(6);
    }

    /** How a strict parser reads the raw input (for the report: which vectors a lenient backend would split). */
    private static String strictReading(byte[] wire) {
        StrictRequestParser parser = new StrictRequestParser(new ByteArrayInputStream(wire));
        List<String> requests = new ArrayList<>();
        try {
            StrictRequestParser.Request request;
            while ((request = parser.next()) != null) {
                requests.add(request.method() + " " + request.target() + " len=" + request.body().length);
            }
            return String.join(" | ", requests);
        } catch (IOException e) {
            requests.add((e instanceof StrictRequestParser.Truncated ? "TRUNCATED " : "BAD ") + e.getMessage());
            return String.join(" | ", requests);
        }
    }

    String describe(Verdict verdict) {
        return "[desync] DISAGREEMENT on " + verdict.origin() + " input " + verdict.vector().name() + ":\n"
                + "    bytes: " + verdict.vector().escaped() + "\n"
                + "    " + String.join("\n    ", verdict.problems()) + "\n" + verdict.details();
    }

    /** Keeps a generated input that disagreed, in the corpus notation, for adding it to the corpus. */
    void keep(SmugglingVector vector) {
        try {
            Files.writeString(dir.resolve("smuggling-found.txt"), vector.name() + ": " + vector.escaped() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Verdict> disagreements() {
        return disagreements;
    }

    String report() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Differential smuggling test on %s: %d inputs (%d corpus, %d generated)%n", jdk,
                corpusInputs + generatedInputs, corpusInputs, generatedInputs));
        out.append(String.format("%-18s %7s %18s %10s %17s %14s%n", "backend (via jcluster)", "inputs",
                "jcluster-rejected", "forwarded", "backend-rejected", "disagreements"));
        for (Map.Entry<String, Counts> entry : counts.entrySet()) {
            Counts c = entry.getValue();
            out.append(String.format("%-22s %7d %18d %10d %17d %14d%s%n", entry.getKey(), c.inputs, c.jclusterRejected,
                    c.forwarded, c.backendRejected, c.disagreements, c.flaky > 0 ? "  (" + c.flaky + " timing-only, agreed on re-run)" : ""));
        }
        int restarts = all().stream().mapToInt(target -> target.restarts).sum();
        out.append("backend restarts after a desync: ").append(restarts).append('\n');
        for (Verdict verdict : disagreements) {
            out.append(describe(verdict));
        }
        return out.toString();
    }

    private <T> Map<DesyncTarget, T> parallel(List<DesyncTarget> targets, Task<T> task) {
        Map<DesyncTarget, Future<T>> futures = new LinkedHashMap<>();
        for (DesyncTarget target : targets) {
            futures.put(target, pool.submit(() -> task.run(target)));
        }
        Map<DesyncTarget, T> results = new LinkedHashMap<>();
        for (Map.Entry<DesyncTarget, Future<T>> entry : futures.entrySet()) {
            try {
                results.put(entry.getKey(), entry.getValue().get());
            } catch (Exception e) {
                throw new AssertionError(entry.getKey().describe() + ": " + e, e);
            }
        }
        return results;
    }

    interface Task<T> {
        T run(DesyncTarget target) throws Exception;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        for (DesyncTarget target : all()) {
            target.close();
        }
    }
}
