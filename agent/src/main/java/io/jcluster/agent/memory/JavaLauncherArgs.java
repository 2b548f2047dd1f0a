package io.jcluster.agent.memory;

import java.util.List;
import java.util.Set;

/**
 * Reads a {@code java} command line the way the JDK's launcher does (17-25, {@code java.c}), to find where its JVM
 * options end: a flag put there comes after every option of the command line (the JVM's last one wins) and before
 * the main class, so it is the JVM's, never an argument of the app.
 */
final class JavaLauncherArgs {

    /** The launcher's options whose value is the next argument (class path, module system, {@code -d}). */
    private static final Set<String> WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--upgrade-module-path", "--add-modules", "--enable-native-access", "--limit-modules", "--add-exports",
            "--add-opens", "--add-reads", "--patch-module", "--describe-module", "-d");
    /** What starts the app: a jar, a module, a source file (after {@code --source N}). */
    private static final Set<String> MAIN = Set.of("-jar", "-m", "--module", "--source");

    private JavaLauncherArgs() {
    }

    /**
     * The index of the argument that names what to run ({@code -jar}, {@code -m}, {@code --source} or the main
     * class), or -1 when it cannot be told: an {@code @argfile} (its lines may hold the main class) or no main at
     * all. {@code argv[0]} is the java binary.
     */
    static int jvmOptionsEnd(List<String> argv) {
        boolean argumentFiles = true;
        for (int i = 1; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (argumentFiles && arg.startsWith("@")) {
                return -1;
            }
            if (MAIN.contains(arg) || arg.startsWith("--module=") || arg.startsWith("--source=")) {
                return i;
            }
            if (arg.equals("--disable-@files")) {
                argumentFiles = false;
            } else if (WITH_VALUE.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-")) {
                return i;
            }
        }
        return -1;
    }
}
