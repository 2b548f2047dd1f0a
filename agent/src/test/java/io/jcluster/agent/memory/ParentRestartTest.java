package io.jcluster.agent.memory;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParentRestartTest {

    private static final long PID = 4242;
    private static final List<String> OURS = BalancerJvmFlags.overApps(List.of("-Xmx4g"));

    @Test
    void theRestartedJvmGetsOurFlagsAfterTheAppsJavaOptionsSoOursWin() {
        Map<String, String> restarted = ParentRestart.restartEnvironment(
                Map.of("_JAVA_OPTIONS", "-Xms4g -Dx=y", "PATH", "/bin"), PID, OURS);
        assertEquals("-Xms4g -Dx=y " + String.join(" ", OURS), restarted.get("_JAVA_OPTIONS"));
        assertEquals("/bin", restarted.get("PATH"));
        assertEquals(String.join(" ", OURS), ParentRestart.restart(restarted, PID).orElseThrow().flags());

        Map<String, String> withoutOptions = ParentRestart.restartEnvironment(Map.of("PATH", "/bin"), PID, OURS);
        assertEquals(String.join(" ", OURS), withoutOptions.get("_JAVA_OPTIONS"));
    }

    @Test
    void theWorkersGetTheAppsEnvironmentBackExactly() {
        for (Map<String, String> app : List.of(Map.of("PATH", "/bin"), Map.of("PATH", "/bin", "_JAVA_OPTIONS", ""),
                Map.of("PATH", "/bin", "_JAVA_OPTIONS", "-Xmx4g -Dq=\"a b\" -Dé=ü"),
                Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/x/jcluster.jar=processes=2 -XX:+UseParallelGC"))) {
            Map<String, String> restarted = ParentRestart.restartEnvironment(app, PID, OURS);
            assertEquals(app, ParentRestart.appEnvironment(restarted, PID), app.toString());
        }
    }

    @Test
    void aMarkerSetForAnotherProcessIsIgnoredAndNeverReachesAWorker() {
        // passed on by the app's environment, or by a worker's app to a JVM it starts: not this process's restart
        Map<String, String> copied = ParentRestart.restartEnvironment(
                Map.of("_JAVA_OPTIONS", "-Dapp=1", ParentRestart.SWITCH, "own"), PID, OURS);
        assertTrue(ParentRestart.restart(copied, PID + 1).isEmpty());
        assertTrue(ParentRestart.wanted(copied, PID + 1, List.of("-Xmx4g")), "a parent with a copied marker restarts");
        Map<String, String> forWorkers = ParentRestart.appEnvironment(copied, PID + 1);
        assertFalse(forWorkers.containsKey(ParentRestart.MARKER));
        assertEquals(copied.get("_JAVA_OPTIONS"), forWorkers.get("_JAVA_OPTIONS"), "not ours to restore");
        for (String forged : List.of("", "4242", "4242 !!! -Xms8m", "x 4242 -Xms8m", " 4242 - -Xms8m")) {
            assertTrue(ParentRestart.restart(Map.of(ParentRestart.MARKER, forged), PID).isEmpty(), forged);
        }
    }

    @Test
    void theFlagsGoBeforeWhatStartsTheAppAndTheWorkersGetTheCommandLineBackExactly() {
        List<String> jar = List.of("/jdk/bin/java", "-Xmx4g", "-cp", "-jar", "-javaagent:/x/jcluster.jar=processes=2",
                "-jar", "app.jar", "-XX:+NotOurs", "--port", "8080");
        int index = ParentRestart.flagsIndex(jar, Map.of());
        assertEquals(5, index, "after the class path's value (which looks like -jar), before -jar");
        List<String> restarted = ParentRestart.restartCommandLine(jar, index, OURS);
        assertEquals(jar.subList(0, 5), restarted.subList(0, 5));
        assertEquals(OURS, restarted.subList(5, 5 + OURS.size()));
        assertEquals(jar.subList(5, jar.size()), restarted.subList(5 + OURS.size(), restarted.size()));
        Map<String, String> environment = ParentRestart.restartEnvironment(Map.of("PATH", "/bin"), PID, index, OURS);
        assertEquals(jar, ParentRestart.appCommandLine(restarted, environment, PID));
        assertEquals(Map.of("PATH", "/bin"), ParentRestart.appEnvironment(environment, PID), "no _JAVA_OPTIONS added");
        assertEquals(String.join(" ", OURS), ParentRestart.restart(environment, PID).orElseThrow().flags());
        // a marker of another process, or one that does not match this command line, changes nothing
        assertEquals(restarted, ParentRestart.appCommandLine(restarted, environment, PID + 1));
        assertEquals(jar, ParentRestart.appCommandLine(jar, environment, PID));
        // _JAVA_OPTIONS is read after the command line: the flags go after the app's there
        assertEquals(-1, ParentRestart.flagsIndex(jar, Map.of("_JAVA_OPTIONS", "-XX:+UseG1GC")));
        assertEquals(5, ParentRestart.flagsIndex(jar, Map.of("_JAVA_OPTIONS", " ")));
    }

    @Test
    void theEndOfTheJvmOptionsIsWhereTheLauncherFindsTheApp() {
        String java = "/jdk/bin/java";
        assertEquals(3, JavaLauncherArgs.jvmOptionsEnd(List.of(java, "-cp", "a.jar:b.jar", "com.example.Main", "-x")));
        assertEquals(2, JavaLauncherArgs.jvmOptionsEnd(List.of(java, "-Dk=v", "-m", "app/com.example.Main")));
        assertEquals(3, JavaLauncherArgs.jvmOptionsEnd(List.of(java, "-p", "mods", "--module=app")));
        assertEquals(5, JavaLauncherArgs.jvmOptionsEnd(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access", "ALL-UNNAMED", "Main")));
        assertEquals(1, JavaLauncherArgs.jvmOptionsEnd(List.of(java, "--source", "21", "App.java")));
        assertEquals(-1, JavaLauncherArgs.jvmOptionsEnd(List.of(java, "@jvm.args", "-jar", "app.jar")), "an argfile");
        assertEquals(3, JavaLauncherArgs.jvmOptionsEnd(List.of(java, "--disable-@files", "-Xss1m", "@Main")));
        assertEquals(-1, JavaLauncherArgs.jvmOptionsEnd(List.of(java, "-version")), "nothing to start");
    }

    @Test
    void itRestartsOnceAndByDefault() {
        Map<String, String> own = Map.of(ParentRestart.SWITCH, "own");
        assertTrue(ParentRestart.wanted(own, PID, List.of("-Xmx4g")));
        Map<String, String> restarted = ParentRestart.restartEnvironment(own, PID, OURS);
        assertFalse(ParentRestart.wanted(restarted, PID, List.of("-Xmx4g")), "never a loop");
        assertFalse(ParentRestart.wanted(Map.of(ParentRestart.SWITCH, "keep"), PID, List.of("-Xmx4g")));
        assertTrue(ParentRestart.wanted(Map.of(), PID, List.of("-Xmx4g")), "the default");
        assertFalse(ParentRestart.wanted(Map.of(ParentRestart.SWITCH, "other"), PID, List.of("-Xmx4g")));
        assertFalse(ParentRestart.wanted(own, PID, OURS), "the app's flags are ours already");
    }

    @Test
    void onlyTheFilesTheJvmOpenedForItselfAreClosedOnExec() {
        Map<Integer, String> open = Map.of(0, "/dev/null", 1, "pipe:[1]", 2, "/tmp/app.log",
                3, "/usr/lib/jvm/jdk-25/lib/modules", 4, "/srv/app/jcluster.jar", 5, "socket:[42]",
                6, "/run/app.lock", 7, "/srv/app/lib/app.jar", 8, "/usr/lib/jvm/jdk-25-other/x", 9, "anon_inode:[eventfd]");
        assertEquals(List.of(3, 4, 7), ParentRestart.ownFiles(open, "/usr/lib/jvm/jdk-25"));
        assertEquals(List.of(), ParentRestart.ownFiles(Map.of(2, "/x/a.jar"), "/usr/lib/jvm/jdk-25"), "stderr stays");
    }

    @Test
    void anUnrestartedParentHasNoFlagsOfItsOwn() {
        assertNull(ParentRestart.restartedWith()); // this test JVM: no marker
        Map<String, String> plain = Map.of("PATH", "/bin");
        assertEquals(plain, ParentRestart.appEnvironment(plain, PID));
    }

    @Test
    void theHandedOverDirectoryCountsOnlyForThePidItWasSetForAndNeverReachesTheWorkers() {
        Map<String, String> restarted = new java.util.HashMap<>(ParentRestart.restartEnvironment(
                Map.of("PATH", "/bin"), PID, 3, OURS));
        restarted.put(ParentRestart.HAND_OVER, PID + " /tmp/jcluster-control-1");
        assertEquals(java.util.Optional.of(java.nio.file.Path.of("/tmp/jcluster-control-1")),
                ParentRestart.handedOver(restarted, PID));
        assertTrue(ParentRestart.handedOver(restarted, PID + 1).isEmpty(), "copied to another process");
        assertTrue(ParentRestart.handedOver(Map.of(ParentRestart.HAND_OVER, PID + " "), PID).isEmpty());
        assertTrue(ParentRestart.handedOver(Map.of(ParentRestart.HAND_OVER, "/tmp/x"), PID).isEmpty());
        assertEquals(Map.of("PATH", "/bin"), ParentRestart.appEnvironment(restarted, PID));
        assertEquals(Map.of("PATH", "/bin"), ParentRestart.appEnvironment(
                Map.of("PATH", "/bin", ParentRestart.HAND_OVER, (PID + 1) + " /tmp/x"), PID), "nor a copied one");
    }
}
