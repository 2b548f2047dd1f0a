package io.jcluster.agent.supervisor;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * This JVM's exact command line. On Linux it comes from /proc/self/cmdline (every argument, quoting intact,
 * however long) and /proc/self/exe (the java binary really running, whatever PATH said); elsewhere from
 * ProcessHandle, which loses arguments past about 4 KiB.
 */
public final class CommandLine {

    private CommandLine() {
    }

    /** argv of this process, argv[0] being the absolute path of the java executable. */
    public static List<String> current() throws IOException {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (Files.isReadable(cmdline)) {
            List<String> argv = splitNul(Files.readAllBytes(cmdline));
            if (!argv.isEmpty()) {
                argv.set(0, Files.readSymbolicLink(Path.of("/proc/self/exe")).toString());
                return argv;
            }
        }
        ProcessHandle.Info info = ProcessHandle.current().info();
        Optional<String> command = info.command();
        Optional<String[]> arguments = info.arguments();
        if (command.isEmpty() || arguments.isEmpty()) {
            throw new IOException("cannot read this JVM's command line on this platform");
        }
        List<String> argv = new ArrayList<>();
        argv.add(command.get());
        argv.addAll(List.of(arguments.get()));
        return argv;
    }

    static List<String> splitNul(byte[] bytes) {
        List<String> argv = new ArrayList<>();
        Charset charset = Charset.defaultCharset();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                argv.add(new String(bytes, start, i - start, charset));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            argv.add(new String(bytes, start, bytes.length - start, charset));
        }
        return argv;
    }
}
