package io.jcluster.agent;

import io.jcluster.agent.supervisor.LaunchAdvice;
import io.jcluster.agent.worker.BindAdvice;
import io.jcluster.bootstrap.LaunchRedirect;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.net.SocketAddress;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/** Every change jcluster makes to classes of the JVM, each with its matcher, on one screen. */
final class AgentInstaller {

    private AgentInstaller() {
    }

    /**
     * Worker: {@code bind(SocketAddress, int)} of the three JDK server-socket implementations. Every server stack
     * on the JDK's sockets ends in one of them; ServerSocketChannel's socket() adaptor delegates to the channel,
     * so no bind is seen twice. Lower-level bind methods are left alone: client sockets, UDP and unix-domain
     * sockets go through those.
     */
    static void installBindHooks(Instrumentation instrumentation) {
        Advice bind = Advice.to(BindAdvice.class); // built here, not in the transformer: avoids class circularity
        ElementMatcher.Junction<TypeDescription> serverSockets = named("java.net.ServerSocket")
                .or(named("sun.nio.ch.ServerSocketChannelImpl"))
                .or(named("sun.nio.ch.AsynchronousServerSocketChannelImpl"));
        agentBuilder()
                .type(serverSockets)
                .transform((builder, type, loader, module, domain) ->
                        builder.visit(bind.on(named("bind").and(takesArguments(SocketAddress.class, int.class)))))
                .installOn(instrumentation);
    }

    /**
     * Parent: the Java launcher loads {@code mainClass} instead of the app's main class. The launcher class is
     * loaded first so that it is transformed now, not later: returns false when that failed, before the app runs.
     */
    static boolean redirectLaunch(Instrumentation instrumentation, String mainClass) {
        Advice launch = Advice.to(LaunchAdvice.class);
        LaunchRedirect.redirectTo(mainClass);
        try {
            Class.forName("sun.launcher.LauncherHelper", false, null);
        } catch (ClassNotFoundException e) {
            return false;
        }
        ReportErrors errors = new ReportErrors();
        agentBuilder(errors)
                .type(named("sun.launcher.LauncherHelper"))
                .transform((builder, type, loader, module, domain) -> builder.visit(
                        launch.on(named("checkAndLoadMain").and(takesArguments(boolean.class, int.class, String.class)))))
                .installOn(instrumentation);
        return !errors.failed;
    }

    private static AgentBuilder agentBuilder() {
        return agentBuilder(new ReportErrors());
    }

    private static AgentBuilder agentBuilder(ReportErrors errors) {
        // Byte Buddy would otherwise reach for sun.misc.Unsafe, which JDK 24+ warns about
        System.setProperty("net.bytebuddy.safe", "true");
        return new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                // the default ignore rule skips every boot-loader class, which is exactly what is transformed here
                .ignore(none())
                .with(errors);
    }

    /** A transformation that fails must say so: otherwise binds silently stay where the app put them. */
    private static final class ReportErrors extends AgentBuilder.Listener.Adapter {
        volatile boolean failed;

        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
                            Throwable throwable) {
            failed = true;
            System.err.println("[jcluster] could not instrument " + typeName + ": " + throwable);
        }

        @Override
        public void onTransformation(TypeDescription typeDescription, ClassLoader classLoader, JavaModule module,
                                     boolean loaded, DynamicType dynamicType) {
            // success is the normal case: nothing to say
        }
    }
}
