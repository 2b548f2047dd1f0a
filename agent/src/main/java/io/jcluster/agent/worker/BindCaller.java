package io.jcluster.agent.worker;

/**
 * Who is binding, for the few server sockets whose port belongs to each process rather than to the cluster:
 * found on the stack of the bind (binds are rare, so walking a few frames costs nothing that matters). Matched
 * by the end of the class name, as a library may be shaded.
 */
enum BindCaller {
    /** Java RMI exporting a server socket: an RMI registry, JMX's RMI connector. */
    RMI,
    /** Tomcat's StandardServer#await, which listens for "SHUTDOWN" on the server's port (8005 by default). */
    TOMCAT_SHUTDOWN_PORT,
    /** Jetty's ShutdownService#listen (ShutdownMonitor#listen before 12.1), which listens on STOP.PORT for STOP.KEY. */
    JETTY_STOP_PORT,
    OTHER;

    private static final int FRAMES = 40;

    static BindCaller current() {
        return StackWalker.getInstance().walk(frames -> frames.limit(FRAMES)
                .map(frame -> of(frame.getClassName(), frame.getMethodName()))
                .filter(caller -> caller != OTHER)
                .findFirst()
                .orElse(OTHER));
    }

    static BindCaller of(String className, String methodName) {
        if (className.startsWith("sun.rmi.transport.")) {
            return RMI;
        }
        if (methodName.equals("await") && className.endsWith(".catalina.core.StandardServer")) {
            return TOMCAT_SHUTDOWN_PORT;
        }
        if (methodName.equals("listen") && (className.endsWith(".jetty.server.ShutdownService")
                || className.endsWith(".jetty.server.ShutdownMonitor"))) {
            return JETTY_STOP_PORT;
        }
        return OTHER;
    }
}
