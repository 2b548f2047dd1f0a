package io.jcluster.agent.memory;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BalancerJvmFlagsTest {

    private static final List<String> ALL = List.of("-XX:+UseSerialGC", "-Xms8m", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30", "-XX:TrimNativeHeapInterval=1000", "-XX:-TieredCompilation");

    @Test
    void theParentGetsAllOfOursOverAnAppWithOnlyAHeapSize() {
        assertEquals(ALL, BalancerJvmFlags.overApps(List.of("-Xmx4g", "-Dapp=1", "-javaagent:/x/jcluster.jar")));
    }

    @Test
    void theAppsCollectorIsTurnedOffBeforeSerialIsTurnedOn() {
        // two collectors turned on do not start ("Conflicting collector combinations")
        assertEquals(List.of("-XX:-UseParallelGC"), BalancerJvmFlags.overApps(List.of("-Xmx4g", "-XX:+UseParallelGC"))
                .subList(0, 1));
        List<String> zgc = BalancerJvmFlags.overApps(List.of("-XX:+UseZGC", "-XX:+ZGenerational"));
        assertTrue(zgc.indexOf("-XX:-UseZGC") < zgc.indexOf("-XX:+UseSerialGC"), zgc.toString());
        assertFalse(BalancerJvmFlags.overApps(List.of("-XX:+UseSerialGC")).contains("-XX:-UseSerialGC"));
        assertFalse(BalancerJvmFlags.overApps(List.of("-XX:-UseG1GC")).contains("-XX:-UseG1GC"), "already off");
    }

    @Test
    void theAppsHeapFlagsAreOverriddenItsOthersKept() {
        List<String> app = List.of("-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "-XX:MaxHeapFreeRatio=70",
                "-XX:TieredStopAtLevel=1", "-XX:TrimNativeHeapInterval=0", "-XX:+UseLargePages");
        List<String> ours = BalancerJvmFlags.overApps(app);
        assertEquals(List.of("-XX:-AlwaysPreTouch", "-XX:+UseSerialGC", "-Xms8m", "-XX:MinHeapFreeRatio=10",
                "-XX:MaxHeapFreeRatio=30"), ours, "the compiler and native trim choices are the app's to make");
    }

    @Test
    void anAppsYoungGenerationSizeStartsSmallInTheParent() {
        for (String young : List.of("-Xmn2g", "-XX:NewSize=1g", "-XX:MaxNewSize=3g")) {
            assertTrue(BalancerJvmFlags.overApps(List.of("-Xmx4g", young)).contains("-XX:NewSize=2m"), young);
        }
        assertFalse(BalancerJvmFlags.overApps(List.of("-Xmx4g", "-XX:NewRatio=3")).contains("-XX:NewSize=2m"));
    }

    @Test
    void theStandaloneBalancerLeavesEveryFamilyTheUserSetToTheUser() {
        assertEquals(ALL, BalancerJvmFlags.beforeUsers(List.of("-Dx=y")));
        assertEquals(List.of("-XX:TrimNativeHeapInterval=1000", "-XX:-TieredCompilation"),
                BalancerJvmFlags.beforeUsers(List.of("-XX:+UseG1GC", "-Xmx1g", "-XX:MinHeapFreeRatio=5")));
    }
}
