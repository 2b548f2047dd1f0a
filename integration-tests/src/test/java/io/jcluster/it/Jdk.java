package io.jcluster.it;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A JDK the integration tests launch clusters on. Use as
 * {@code @ParameterizedTest(name = "{0}") @MethodSource("io.jcluster.it.Jdk#all")}.
 *
 * <p>A JDK that is not installed makes the test ABORTED (reported as skipped) with a loud line on
 * stderr, never a silent pass: {@link ClusterProcess} calls {@link #requireInstalled()} before
 * launching anything.
 */
public record Jdk(int feature, Path home, List<String> flags) {

    static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    static final Path OPENJDK_17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    /**
     * JDK 17 (this JVM's own when it is a 17), Temurin 25, and Temurin 25 with native access granted: there the
     * balancer runs on epoll instead of NIO, so both transports are tested on JDK 25.
     */
    public static Stream<Jdk> all() {
        return Stream.of(jdk17(), temurin25(),
                new Jdk(25, TEMURIN_25, List.of("--enable-native-access=ALL-UNNAMED")));
    }

    /**
     * JDK 17 (epoll in the parent) and Temurin 25 as users run it (NIO in the parent): both JDK versions and both
     * balancer transports in two runs. For a subject that differs per JDK or per transport but is not worker
     * instrumentation: the third variant of {@link #all()} only repeats epoll, on JDK 25.
     */
    public static Stream<Jdk> both() {
        return Stream.of(jdk17(), temurin25());
    }

    /** Temurin 25 as users run it: no extra flags. */
    static Jdk temurin25() {
        return new Jdk(25, TEMURIN_25, List.of());
    }

    static Jdk jdk17() {
        if (Runtime.version().feature() == 17) {
            return new Jdk(17, Path.of(System.getProperty("java.home")), List.of());
        }
        return new Jdk(17, OPENJDK_17, List.of());
    }

    /**
     * The balancer transport transport=auto must choose on this JDK: io_uring where the kernel allows it, else
     * epoll (the shaded native libraries load), except on JDK 24+ without native access, where jcluster chooses
     * NIO rather than trigger the JVM's warning.
     */
    public String expectedTransport() {
        if (!nativeAccess()) {
            return "nio";
        }
        return IO_URING_ENABLED ? "io_uring" : "epoll";
    }

    /** Whether jcluster may load native code quietly on this JDK with these flags. */
    public boolean nativeAccess() {
        return feature < 24 || flags.contains("--enable-native-access=ALL-UNNAMED");
    }

    /**
     * kernel.io_uring_disabled is 0 when every process may use io_uring (Linux 6.6+; a container's seccomp may
     * still refuse it, and then {@link TransportIT} says so).
     */
    static final boolean IO_URING_ENABLED = ioUringEnabled();

    private static boolean ioUringEnabled() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim().equals("0");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    /** Aborts the current test (JUnit assumption) when this JDK's bin/java is missing. */
    public void requireInstalled() {
        if (!Files.isExecutable(java())) {
            String reason = "JDK " + feature + " not installed at " + home + ": skipped";
            System.err.println();
            System.err.println("!!!!! " + reason + " !!!!!");
            System.err.println();
            Assumptions.abort(reason);
        }
    }

    @Override
    public String toString() {
        return "JDK " + feature + (flags.isEmpty() ? "" : " " + String.join(" ", flags));
    }
}
