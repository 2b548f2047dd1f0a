package io.jcluster.agent.memory;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanOperationInfo;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeHeapTrimTest {

    @Test
    void startsOnlyWhereTheJvmDoesNotTrimByItself() {
        assertFalse(NativeHeapTrim.jvmTrims("0"), "the default: nobody trims");
        assertFalse(NativeHeapTrim.jvmTrims(null), "no such flag (before 17.0.9)");
        assertTrue(NativeHeapTrim.jvmTrims("1000"), "-XX:TrimNativeHeapInterval=1000 (the restarted balancer)");
    }

    @Test
    void thisJvmHasTheDiagnosticCommandItCalls() throws Exception {
        // the operation name is derived from "System.trim_native_heap"; if a JDK renamed it, trimming would stop
        // with one log line: this test says so first
        List<String> operations = new ArrayList<>();
        for (MBeanOperationInfo operation : ManagementFactory.getPlatformMBeanServer()
                .getMBeanInfo(new ObjectName("com.sun.management:type=DiagnosticCommand")).getOperations()) {
            operations.add(operation.getName());
        }
        assertTrue(operations.contains(NativeHeapTrim.OPERATION), Runtime.version() + ": " + operations);
    }

    @Test
    void trimsOnThisJvmWithoutComplaint() throws Exception {
        List<String> lines = new ArrayList<>();
        NativeHeapTrim trim = new NativeHeapTrim(ManagementFactory.getPlatformMBeanServer(),
                new ObjectName("com.sun.management:type=DiagnosticCommand"), lines::add);
        assertTrue(trim.trimOnce());
        assertTrue(lines.isEmpty(), lines.toString());
    }

    @Test
    void saysOnceAndStopsWhereTheCommandIsMissing() throws Exception {
        List<String> lines = new ArrayList<>();
        NativeHeapTrim trim = new NativeHeapTrim(ManagementFactory.getPlatformMBeanServer(),
                new ObjectName("com.sun.management:type=NoSuchThing"), lines::add);
        assertFalse(trim.trimOnce());
        assertTrue(lines.size() == 1 && lines.get(0).contains("System.trim_native_heap"), lines.toString());
    }
}
