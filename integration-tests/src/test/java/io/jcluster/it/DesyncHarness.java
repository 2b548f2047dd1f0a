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
    private static final Pattern ABSOLUTE_FORM = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/?]*");

    /** How one input fared on one backend behind jcluster. */
    /**
     * How one input fared on one backend behind jcluster. NOT_JUDGED: jcluster forwarded something the reference
     * parser already refused (a disagreement counted on the oracle's row): what jcluster meant is unknown, so the
     * stacks behind it are only reported.
     */
    enum Outcome { JCLUSTER_REJECTED, FORWARDED, BACKEND_REJECTED, DISAGREEMENT, NOT_JUDGED }

    /** Counters per backend (and the oracle), for the report. */
    static final class Counts {
        int inputs;
        int jclusterRejected;
        int forwarded;
        int backendRejected;
        int disagreements;
        int notJudged;
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
    /** Inputs that the stacks, reached directly, parse into different requests (what a plain TCP relay would pass). */
    private final java.util.Set<String> directSplits = new java.util.LinkedHashSet<>();
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
                    port -> ClusterProcess.on(jdk).agentArgs(agent).launch(recording(stack, port)), dir));
            direct.put(name, new DesyncTarget(name, false,
                    port -> ClusterProcess.on(jdk).withoutAgent().launch(recording(stack, port)), dir));
            counts.put(name, new Counts());
        }
    }

    /** The stack's launch arguments; the JDK server records in its own main (the demo stays one source file). */
    private static String[] recording(Stack stack, int port) {
        List<String> launch = new ArrayList<>(stack.launch(port));
        launch.replaceAll(arg -> arg.equals("samples.hello.HelloServer") ? "samples.recording.JdkRecordingServer" : arg);
        return launch.toArray(String[]::new);
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
        // three at a time: eleven JVMs starting at once on two shared cores starve each other for minutes
        for (int from = 0; from < all.size(); from += 3) {
            List<DesyncTarget> group = all.subList(from, Math.min(all.size(), from + 3));
            for (DesyncTarget target : group) {
                target.start();
            }
            parallel(group, target -> {
                target.awaitReady(ClusterProcess.STARTUP.multipliedBy(3));
                return null;
            });
        }
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
                case NOT_JUDGED -> c.notJudged++;
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
        List<String> sent = new ArrayList<>();
        details.append("    strict reading of the raw input: ").append(strictReading(wire, sent)).append('\n');

        DesyncTarget.Observation reference = seen.get(oracle);
        List<String> expected = keys(reference.records());
        details.append("    jcluster forwarded (oracle): ").append(reference.records().isEmpty() ? "nothing"
                : String.join(" | ", expected)).append("; client got ").append(reference.responses()).append('\n');
        List<String> referenceProblems = new ArrayList<>();
        for (String finding : reference.findings()) {
            referenceProblems.add("jcluster forwarded what a strict parser refuses: " + finding);
        }
        // what jcluster forwarded must be what the client sent, as far as the client's bytes are well-framed (a
        // rewritten head, say one that lost its Content-Length, shows here and nowhere else)
        for (int i = 0; i < Math.min(sent.size(), expected.size()); i++) {
            String forwarded = expected.get(i).replaceFirst(" xff=\\S*$", "");
            if (!forwarded.equals(sent.get(i))) {
                referenceProblems.add("request " + i + " reached the workers as " + forwarded + " but the client sent "
                        + sent.get(i));
                break;
            }
        }
        Alignment own = align(reference, expected, reference.responses());
        if (referenceProblems.isEmpty()) {
            referenceProblems.addAll(own.problems);
        }
        outcomes.put(oracle.name, !referenceProblems.isEmpty() ? Outcome.DISAGREEMENT
                : expected.isEmpty() && own.jclusterAnswered ? Outcome.JCLUSTER_REJECTED : Outcome.FORWARDED);
        problems.addAll(referenceProblems);

        for (Map.Entry<String, DesyncTarget> entry : viaJcluster.entrySet()) {
            String name = entry.getKey();
            DesyncTarget.Observation got = seen.get(entry.getValue());
            Alignment alignment = align(got, expected, reference.responses());
            if (!referenceProblems.isEmpty()) {
                outcomes.put(name, Outcome.NOT_JUDGED);
            } else {
                for (String problem : alignment.problems) {
                    problems.add(name + " via jcluster: " + problem);
                }
            }
            outcomes.putIfAbsent(name, !alignment.problems.isEmpty() ? Outcome.DISAGREEMENT
                    : alignment.backendRejected ? Outcome.BACKEND_REJECTED
                    : expected.isEmpty() && alignment.jclusterAnswered ? Outcome.JCLUSTER_REJECTED : Outcome.FORWARDED);
            details.append("    ").append(name).append(" via jcluster: ").append(got.records().isEmpty() ? "nothing"
                    : String.join(" | ", keys(got.records()))).append("; client got ").append(got.responses())
                    .append(got.fencesFailed() > 0 ? "; fences failed: " + got.fencesFailed() : "").append('\n');
        }
        java.util.Set<List<String>> directReadings = new java.util.HashSet<>();
        for (Map.Entry<String, DesyncTarget> entry : direct.entrySet()) {
            DesyncTarget.Observation got = seen.get(entry.getValue());
            directReadings.add(keys(got.records()));
            details.append("    ").append(entry.getKey()).append(" direct: ").append(got.records().isEmpty() ? "nothing"
                    : String.join(" | ", keys(got.records()))).append("; client got ").append(got.responses()).append('\n');
        }
        if (directReadings.size() > 1) {
            synchronized (directSplits) {
                directSplits.add(vector.name());
            }
        }
        return new Verdict(vector, origin, outcomes, problems, details.toString());
    }

    /** How one backend's answers line up with the requests jcluster forwarded. */
    static final class Alignment {
        final List<String> problems = new ArrayList<>();
        boolean backendRejected;
        boolean jclusterAnswered;
    }

    /**
     * Lines up the client's responses with the requests jcluster forwarded ({@code expected}, in order): the i-th
     * response answers the i-th request. It is the app's record of exactly that request; or the stack's own
     * answer (an error page, a bodiless 200 to anything but HEAD, e.g. OPTIONS *), and then the request is not in
     * the journal; or jcluster's own answer: the same as the oracle's at that place, or an error because the
     * stack closed without answering (then nothing follows). The journal must hold exactly the requests answered
     * with a record, and the worker connection must be in step afterwards (the fence).
     */
    static Alignment align(DesyncTarget.Observation got, List<String> expected, List<RawResponses.Response> reference) {
        Alignment a = new Alignment();
        List<String> answered = new ArrayList<>();
        List<RawResponses.Response> responses = got.responses();
        int i = 0;
        boolean ended = false;
        for (; i < responses.size(); i++) {
            RawResponses.Response response = responses.get(i);
            if (response.kind() == RawResponses.Kind.JCLUSTER) {
                a.jclusterAnswered = true;
                RawResponses.Response theirs = i < reference.size() ? reference.get(i) : null;
                if (theirs == null || theirs.kind() != RawResponses.Kind.JCLUSTER || theirs.status() != response.status()) {
                    if (i < expected.size() && response.status() >= 500) {
                        a.backendRejected = true; // the stack closed (or stalled) instead of answering
                    } else {
                        a.problems.add("jcluster answered " + response + " where the oracle got " + theirs);
                    }
                }
                ended = true;
                i++;
                break;
            }
            if (i >= expected.size()) {
                a.problems.add("answer " + i + " (" + response + ") to a request jcluster did not forward");
                continue;
            }
            String want = expected.get(i);
            switch (response.kind()) {
                case APP -> {
                    if (!key(response.record()).equals(want)) {
                        a.problems.add("answer " + i + " is " + key(response.record()) + " where jcluster forwarded " + want);
                    }
                    answered.add(want);
                }
                case EMPTY -> {
                    if (want.startsWith("HEAD ")) {
                        answered.add(want);
                    } else {
                        a.backendRejected = true;
                    }
                }
                default -> a.backendRejected = true;
            }
        }
        if (i < responses.size()) {
            a.problems.add("answers after jcluster's own: " + responses.subList(i, responses.size()));
        }
        if (!ended && responses.size() < expected.size()) {
            RawResponses.Response last = responses.isEmpty() ? null : responses.get(responses.size() - 1);
            if (last == null || last.kind() != RawResponses.Kind.OTHER) {
                a.problems.add("no answer to " + String.join(" | ", expected.subList(responses.size(), expected.size()))
                        + " (the stack waited for more, or took it for part of something else)");
            } else {
                a.backendRejected = true; // the stack refused a request and closed the connection
            }
        }
        for (String record : got.records()) {
            if (record.endsWith(" xff=-")) {
                a.problems.add("parsed a request jcluster never vouched for (no X-Forwarded-For): " + key(record));
            }
        }
        List<String> journaled = keys(got.records());
        if (!journaled.equals(answered)) {
            a.problems.add("parsed " + (journaled.isEmpty() ? "nothing" : String.join(" | ", journaled))
                    + " where jcluster forwarded " + (expected.isEmpty() ? "nothing" : String.join(" | ", expected))
                    + " and the client got records of " + (answered.isEmpty() ? "nothing" : String.join(" | ", answered)));
        }
        if (!got.garbage().isEmpty()) {
            a.problems.add("the client read bytes that are no response: "
                    + StrictRequestParser.escape(got.garbage().getBytes(StandardCharsets.ISO_8859_1)));
        }
        if (got.fencesFailed() > 0) {
            a.problems.add("the next request on the worker connection (the fence) was not answered as itself "
                    + got.fencesFailed() + " times" + (got.restarted() ? " (restarted)" : ""));
        }
        return a;
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
        return key(m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(4), m.group(6));
    }

    /** A request's key from its parts (escaped as in a record); without " xff=" when {@code xff} is null. */
    static String key(String method, String rawTarget, int length, String sha, String xff) {
        String target = ABSOLUTE_FORM.matcher(rawTarget).replaceFirst("");
        if (target.isEmpty() || target.startsWith("?")) {
            target = "/" + target;
        }
        if (method.equals("CONNECT")) {
            target = "(authority)"; // stacks report an authority-form target each their own way
        }
        return method + " " + target + " len=" + length + " sha=" + sha.substring(0, 8) + (xff == null ? "" : " xff=" + xff);
    }

    /** How a strict parser reads the raw input (for the report: which vectors a lenient backend would split). */
    private static String strictReading(byte[] wire, List<String> wellFramed) {
        StrictRequestParser parser = new StrictRequestParser(new ByteArrayInputStream(wire));
        List<String> requests = new ArrayList<>();
        try {
            StrictRequestParser.Request request;
            while ((request = parser.next()) != null) {
                requests.add(request.method() + " " + request.target() + " len=" + request.body().length);
                wellFramed.add(key(samples.recording.RequestJournal.escape(request.method()),
                        samples.recording.RequestJournal.escape(request.target()), request.body().length,
                        samples.recording.RequestJournal.sha256Prefix(request.body()), null));
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
        out.append(String.format("%-22s %7s %18s %10s %17s %14s %11s%n", "backend (via jcluster)", "inputs",
                "jcluster-rejected", "forwarded", "backend-rejected", "disagreements", "not-judged"));
        for (Map.Entry<String, Counts> entry : counts.entrySet()) {
            Counts c = entry.getValue();
            out.append(String.format("%-22s %7d %18d %10d %17d %14d %11d%s%n", entry.getKey(), c.inputs,
                    c.jclusterRejected, c.forwarded, c.backendRejected, c.disagreements, c.notJudged,
                    c.flaky > 0 ? "  (" + c.flaky + " timing-only, agreed on re-run)" : ""));
        }
        out.append("jcluster-rejected: jcluster answered the input itself (4xx), nothing reached a backend; forwarded: the"
                + " stack parsed exactly what jcluster forwarded; backend-rejected: the stack refused a forwarded request"
                + " with its own error (or closed), and parsed nothing else; not-judged: jcluster forwarded bytes the"
                + " strict reference parser refuses (a disagreement on the oracle's row)\n");
        out.append("inputs the five stacks, reached directly, read differently (one refusing what another accepts counts): ").append(directSplits.size())
                .append(" (").append(String.join(", ", directSplits)).append(")\n");
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
