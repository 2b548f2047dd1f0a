package io.jcluster.agent.worker;

import io.jcluster.agent.control.ControlClient;
import io.jcluster.agent.control.ControlMessage;

import java.io.IOException;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A thread dump of this worker, sent to the parent line by line when it asks (before it replaces a worker that
 * stopped answering). It runs on jcluster's own control thread, so it answers while the app's threads are
 * deadlocked; it names the deadlocked threads first. Unlike {@code jcmd Thread.print} from the parent, it needs
 * no attach mechanism (absent from JREs, off with -XX:+DisableAttachMechanism) and no JDK tools on the machine.
 */
final class ThreadDump {

    private static final boolean MANAGEMENT = ModuleLayer.boot().findModule("java.management").isPresent();

    private ThreadDump() {
    }

    static void sendTo(ControlClient control) {
        List<String> lines = MANAGEMENT ? Management.lines() : plainLines();
        try {
            for (String line : lines) {
                control.send(new ControlMessage.DumpLine(line));
            }
            control.send(new ControlMessage.DumpEnd());
        } catch (IOException e) {
            // the parent is gone
        }
    }

    /** Without java.management: stacks only, no locks. */
    private static List<String> plainLines() {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            Thread thread = entry.getKey();
            lines.add("\"" + thread.getName() + "\"" + (thread.isDaemon() ? " daemon" : "") + " " + thread.getState());
            for (StackTraceElement frame : entry.getValue()) {
                lines.add("    at " + frame);
            }
            lines.add("");
        }
        return lines;
    }

    /** Loaded only when java.management is in the boot layer. */
    private static final class Management {
        static List<String> lines() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            List<String> lines = new ArrayList<>();
            long[] deadlocked = threads.findDeadlockedThreads();
            if (deadlocked != null) {
                List<String> names = new ArrayList<>();
                for (ThreadInfo info : threads.getThreadInfo(deadlocked)) {
                    if (info != null) {
                        names.add("\"" + info.getThreadName() + "\"");
                    }
                }
                lines.add("DEADLOCK: " + String.join(", ", names) + " wait for each other's locks");
                lines.add("");
            }
            for (ThreadInfo info : threads.dumpAllThreads(true, true)) {
                describe(info, lines);
            }
            return lines;
        }

        private static void describe(ThreadInfo info, List<String> lines) {
            StringBuilder head = new StringBuilder("\"").append(info.getThreadName()).append("\" #")
                    .append(info.getThreadId()).append(info.isDaemon() ? " daemon " : " ").append(info.getThreadState());
            if (info.getLockName() != null) {
                head.append(" on ").append(info.getLockName());
            }
            if (info.getLockOwnerName() != null) {
                head.append(" owned by \"").append(info.getLockOwnerName()).append("\"");
            }
            lines.add(head.toString());
            StackTraceElement[] stack = info.getStackTrace();
            MonitorInfo[] monitors = info.getLockedMonitors();
            for (int depth = 0; depth < stack.length; depth++) {
                lines.add("    at " + stack[depth]);
                if (depth == 0 && info.getLockInfo() != null) {
                    lines.add("    - waiting on " + info.getLockInfo());
                }
                for (MonitorInfo monitor : monitors) {
                    if (monitor.getLockedStackDepth() == depth) {
                        lines.add("    - locked " + monitor);
                    }
                }
            }
            LockInfo[] synchronizers = info.getLockedSynchronizers();
            if (synchronizers.length > 0) {
                lines.add("    locked synchronizers: " + List.of(synchronizers));
            }
            lines.add("");
        }
    }
}
