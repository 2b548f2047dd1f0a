package io.jcluster.agent;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * With JAVA_TOOL_OPTIONS every JVM of the environment loads the agent: only the app's becomes a cluster (or a
 * worker). What the launcher runs comes from {@code sun.java.command}.
 */
class AgentScopeTest {

    private static final Map<String, String> PLAIN = Map.of("PATH", "/usr/bin");

    @Test
    void appsAreClustered() {
        assertNull(AgentScope.outOfScope("app.jar --port 8080", PLAIN, 1));
        assertNull(AgentScope.outOfScope("/opt/sun.app.jar", PLAIN, 1));
        assertNull(AgentScope.outOfScope("com.example.Main", PLAIN, 1));
        assertNull(AgentScope.outOfScope("org.apache.catalina.startup.Bootstrap start", PLAIN, 1));
        assertNull(AgentScope.outOfScope("app/com.example.Main", PLAIN, 1));
        assertNull(AgentScope.outOfScope(null, PLAIN, 1));
        assertNull(AgentScope.outOfScope("jdk.compiler/com.sun.tools.javac.launcher.Main Server.java", PLAIN, 1),
                "java Server.java: the source launcher runs the app");
        assertNull(AgentScope.outOfScope("jdk.compiler/com.sun.tools.javac.launcher.SourceLauncher Server.java",
                PLAIN, 1));
    }

    @Test
    void jdkToolsAreLeftAlone() {
        assertEquals("a JDK tool", AgentScope.outOfScope("jdk.jcmd/sun.tools.jcmd.JCmd -l", PLAIN, 1));
        assertEquals("a JDK tool", AgentScope.outOfScope("sun.tools.jcmd.JCmd -l", PLAIN, 1));
        assertEquals("a JDK tool", AgentScope.outOfScope("sun.security.tools.keytool.Main -list", PLAIN, 1));
        assertEquals("a JDK tool", AgentScope.outOfScope("com.sun.tools.javac.Main X.java", PLAIN, 1));
        assertEquals("a JDK tool", AgentScope.outOfScope("jdk.jshell/jdk.internal.jshell.tool.JShellToolProvider",
                PLAIN, 1));
    }

    @Test
    void jclustersOwnCommandLineIsLeftAlone() {
        assertEquals("jcluster's own command line", AgentScope.outOfScope("/opt/jcluster.jar status --admin 9090",
                PLAIN, 1));
        assertEquals("jcluster's own command line", AgentScope.outOfScope("jcluster.jar balance --listen 9000",
                PLAIN, 1));
    }

    @Test
    void aJvmThatAWorkersAppStartedIsNeitherWorkerNorParent() {
        Map<String, String> worker = Map.of("JCLUSTER_CONTROL", "/tmp/x/control", "JCLUSTER_WORKER_ID", "0",
                "JCLUSTER_PARENT_PID", "100");
        assertNull(AgentScope.outOfScope("app.jar", worker, 100), "the worker itself: its parent is the parent");
        assertEquals("a JVM started by a worker's app", AgentScope.outOfScope("app.jar", worker, 4242));
        assertNull(AgentScope.outOfScope("app.jar", worker, -1), "parent unknown: as before");
    }
}
