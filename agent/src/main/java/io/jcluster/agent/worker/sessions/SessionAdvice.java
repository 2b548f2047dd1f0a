package io.jcluster.agent.worker.sessions;

import net.bytebuddy.asm.Advice;

/**
 * Inlined into the servers' classes where a context starts its sessions (AgentInstaller.sessionHooks names the
 * methods). It may reference only what every server's class loader sees: java.* and the boot class path.
 */
public final class SessionAdvice {

    private SessionAdvice() {
    }

    /** Tomcat: {@code StandardContext.startInternal()}, before it creates its default manager. */
    public static final class Tomcat {
        private Tomcat() {
        }

        @Advice.OnMethodEnter
        public static void enter(@Advice.This Object context) {
            SessionAdapters.adopt(context, SessionAdapters.TOMCAT);
        }
    }

    /** Jetty 12: {@code AbstractSessionManager.doStart()}, before it builds its session cache. */
    public static final class Jetty {
        private Jetty() {
        }

        @Advice.OnMethodEnter
        public static void enter(@Advice.This Object manager) {
            SessionAdapters.adopt(manager, SessionAdapters.JETTY);
        }
    }

    /** Undertow: see AgentInstaller.sessionHooks for the method (the Undertow adapter's owner decides). */
    public static final class Undertow {
        private Undertow() {
        }

        @Advice.OnMethodExit
        public static void exit(@Advice.This Object manager) {
            SessionAdapters.adopt(manager, SessionAdapters.UNDERTOW);
        }
    }
}
