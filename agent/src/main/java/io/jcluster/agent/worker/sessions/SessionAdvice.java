package io.jcluster.agent.worker.sessions;

import io.jcluster.bootstrap.SessionCalls;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.util.Optional;

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

    /**
     * Undertow: {@code InMemorySessionManager}'s constructors, on exit (this = the manager, its fields set). Both a
     * core-handler app and a servlet deployment keep their sessions in one; it has no extension point for a store,
     * so the adapter also answers its session calls ({@link Calls}, {@link Stop}).
     */
    public static final class Undertow {
        private Undertow() {
        }

        /** Never throws into the app's constructor (adopt hashes the manager, which hashes its deployment name). */
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object manager) {
            SessionAdapters.adopt(manager, SessionAdapters.UNDERTOW);
        }

        /**
         * {@code createSession(exchange, config)}, {@code getSession(exchange, config)}, {@code getSession(id)}: the
         * adapter's answer (an Optional of the session) replaces Undertow's own code for a manager it shares; for
         * any other manager (no answer) Undertow's own code runs.
         */
        public static final class Calls {
            private Calls() {
            }

            @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
            public static Object enter(@Advice.This Object manager, @Advice.Origin("#m") String method,
                                       @Advice.AllArguments Object[] arguments) {
                return SessionCalls.ask(manager, method, arguments);
            }

            @Advice.OnMethodExit
            public static void exit(@Advice.Enter Object answer,
                                    @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object session) {
                if (answer != null) {
                    session = ((Optional<?>) answer).orElse(null);
                }
            }
        }

        /** {@code stop()}: the sessions that only this worker holds end first, as Undertow's own do. */
        public static final class Stop {
            private Stop() {
            }

            @Advice.OnMethodEnter(suppress = Throwable.class)
            public static void enter(@Advice.This Object manager) {
                SessionCalls.ask(manager, "stop", new Object[0]);
            }
        }
    }
}
