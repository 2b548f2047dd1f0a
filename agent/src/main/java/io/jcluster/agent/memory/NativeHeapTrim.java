package io.jcluster.agent.memory;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Gives the memory glibc keeps after {@code free} back to the OS every second ({@code malloc_trim}, through the
 * JVM's {@code System.trim_native_heap} diagnostic command, JDK 17.0.9+): C2's compiler arenas (10-20 MiB while it
 * compiles the relay's hot methods under load) would otherwise stay resident for good. The JVM does the same itself
 * with {@code -XX:TrimNativeHeapInterval=1000}, which the restarted standalone balancer gets on JDK 22+ and which
 * cannot be set at run time; where it is set, nothing is started here.
 */
final class NativeHeapTrim implements Runnable {

    static final long PERIOD_MILLIS = 1000;
    /** The diagnostic command's MBean operation ({@code System.trim_native_heap}). */
    static final String OPERATION = "systemTrimNativeHeap";

    private final MBeanServer server;
    private final ObjectName diagnosticCommands;
    private final Consumer<String> log;

    NativeHeapTrim(MBeanServer server, ObjectName diagnosticCommands, Consumer<String> log) {
        this.server = server;
        this.diagnosticCommands = diagnosticCommands;
        this.log = log;
    }

    /** Whether the JVM trims by itself ({@code TrimNativeHeapInterval} above 0) or cannot be asked to. */
    static boolean jvmTrims(String trimNativeHeapInterval) {
        return trimNativeHeapInterval != null && !trimNativeHeapInterval.equals("0");
    }

    static void startUnlessTheJvmTrims(HotSpotDiagnosticMXBean hotSpot, Consumer<String> log) {
        String interval;
        try {
            interval = hotSpot.getVMOption("TrimNativeHeapInterval").getValue();
        } catch (IllegalArgumentException e) {
            interval = null; // older than 17.0.9: the diagnostic command may still be there
        }
        if (jvmTrims(interval)) {
            return;
        }
        try {
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            NativeHeapTrim trim = new NativeHeapTrim(server, name, log);
            if (!trim.trimOnce()) {
                return;
            }
            Thread thread = new Thread(null, trim, "jcluster-native-trim", 256 * 1024);
            thread.setDaemon(true);
            thread.start();
        } catch (JMException | RuntimeException | LinkageError e) {
            // e.g. the app's flags name an MBeanServerBuilder (-Djavax.management.builder.initial) the parent lacks
            log.accept("cannot give freed native memory back to the OS (" + e + "); on JDK 22+ the JVM does with"
                    + " -XX:TrimNativeHeapInterval=1000");
        }
    }

    /** One trim; false (said once) when this JVM has no such command. */
    boolean trimOnce() {
        try {
            server.invoke(diagnosticCommands, OPERATION, new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
            return true;
        } catch (JMException | RuntimeException | LinkageError e) {
            log.accept("cannot give freed native memory back to the OS (" + e.getMessage() + "; this JVM has no"
                    + " System.trim_native_heap): its RSS keeps what the JIT compiler once used");
            return false;
        }
    }

    @Override
    public void run() {
        try {
            do {
                Thread.sleep(PERIOD_MILLIS);
            } while (trimOnce());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
