package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class WorkerCommandTest {

    @TempDir
    Path dir;

    @Test
    void aPlainCommandLineIsCopiedExactly() throws IOException {
        List<String> argv = List.of("/jdk/bin/java", "-javaagent:jcluster.jar=processes=2", "-Xmx64m", "-cp", "a b.jar",
                "app.Main", "arg with  spaces", "-agentlib:jdwp=address=5005");
        WorkerCommand command = new WorkerCommand(argv, dir);
        assertEquals(argv, command.forWorker(0));
        assertEquals(argv, command.forWorker(3));
        assertEquals(List.of(), command.differences(1));
    }

    @Test
    void debuggerAndJmxPortsShiftPerWorkerButOnlyBeforeTheMainClass() throws IOException {
        List<String> argv = List.of("java", "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005",
                "-Dcom.sun.management.jmxremote.port=9010", "-Dcom.sun.management.jmxremote.rmi.port=9011",
                "-jar", "app.jar", "-agentlib:jdwp=address=5005");
        List<String> worker = new WorkerCommand(argv, dir).forWorker(1);
        assertEquals("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5007", worker.get(1));
        assertEquals("-Dcom.sun.management.jmxremote.port=9012", worker.get(2));
        assertEquals("-Dcom.sun.management.jmxremote.rmi.port=9013", worker.get(3));
        assertEquals(argv.subList(4, 7), worker.subList(4, 7));
    }

    @Test
    void hostQualifiedJdwpAddressKeepsItsHost() {
        assertEquals("-agentlib:jdwp=transport=dt_socket,server=y,address=127.0.0.1:5006,suspend=n",
                WorkerCommand.rewrite("-agentlib:jdwp=transport=dt_socket,server=y,address=127.0.0.1:5005,suspend=n", 0));
    }

    @Test
    void filesTheJvmWritesGetAWorkerSuffix() {
        assertEquals("-XX:StartFlightRecording=duration=30s,filename=rec-w2.jfr",
                WorkerCommand.rewrite("-XX:StartFlightRecording=duration=30s,filename=rec.jfr", 2));
        assertEquals("-Xlog:gc*:file=logs/gc-w0.log:time", WorkerCommand.rewrite("-Xlog:gc*:file=logs/gc.log:time", 0));
        assertEquals("-XX:HeapDumpPath=/tmp/heap-w1", WorkerCommand.rewrite("-XX:HeapDumpPath=/tmp/heap", 1));
        assertEquals("-XX:HeapDumpPath=/tmp/dumps/", WorkerCommand.rewrite("-XX:HeapDumpPath=/tmp/dumps/", 1));
        assertEquals("-Xlog:gc:file=gc-%p.log", WorkerCommand.rewrite("-Xlog:gc:file=gc-%p.log", 1),
                "a %p name is unique per process already");
    }

    @Test
    void argfilesAreCopiedBecauseTheirCreatorMayDeleteThem() throws IOException {
        Path argfile = dir.resolve("java-args.txt");
        Files.writeString(argfile, "-cp app.jar", StandardCharsets.UTF_8);
        Path copies = Files.createDirectory(dir.resolve("copies"));
        List<String> worker = new WorkerCommand(List.of("java", "@" + argfile, "app.Main"), copies).forWorker(0);
        Files.delete(argfile);
        assertNotEquals("@" + argfile, worker.get(1));
        assertEquals("-cp app.jar", Files.readString(Path.of(worker.get(1).substring(1))));
    }

    @Test
    void jvmOptionsEndAtTheMainClassJarOrModule() {
        assertEquals(3, WorkerCommand.launcherOptionsEnd(List.of("java", "-cp", "x", "Main", "-Dapp=1")));
        assertEquals(2, WorkerCommand.launcherOptionsEnd(List.of("java", "-Xmx1g", "-jar", "app.jar")));
        assertEquals(3, WorkerCommand.launcherOptionsEnd(List.of("java", "-p", "mods", "-m", "app/app.Main")));
        assertEquals(1, WorkerCommand.launcherOptionsEnd(List.of("java", "--module=app/app.Main")));
    }

    @Test
    void procCmdlineIsSplitOnNul() {
        byte[] raw = "java\0-cp\0a b\0Main\0\0last\0".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("java", "-cp", "a b", "Main", "", "last"), CommandLine.splitNul(raw));
    }
}
