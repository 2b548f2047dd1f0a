package io.jcluster.agent.instrument;

import io.jcluster.agent.worker.BindAdvice;
import io.jcluster.agent.worker.PeerAdvice;
import io.jcluster.agent.worker.SeenAddressAdvice;
import io.jcluster.agent.worker.sessions.SessionAdvice;
import io.jcluster.bootstrap.PeerRewrite;
import io.jcluster.bootstrap.LaunchRedirect;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.lang.instrument.Instrumentation;
import java.io.IOException;
import java.io.FileDescriptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.returns;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/** Every change jcluster makes to classes of the JVM, each with its matcher, on one screen. */
public final class AgentInstaller {

    static {
        // before any Byte Buddy class loads: otherwise it reaches for sun.misc.Unsafe, which JDK 24+ warns about
        System.setProperty("net.bytebuddy.safe", "true");
    }

    private AgentInstaller() {
    }

    /**
     * Worker: {@code bind(SocketAddress, int)} of the three JDK server-socket implementations. Every server stack
     * on the JDK's sockets ends in one of them; ServerSocketChannel's socket() adaptor delegates to the channel,
     * so no bind is seen twice. Lower-level bind methods are left alone: client sockets, UDP and unix-domain
     * sockets go through those. And what the app sees: their local-address getters (and those of the channel's
     * socket() adaptor) report the address the app asked for, not the private one. Their accepts (and that of
     * ServerSocket's NioSocketImpl) give the app its client's address as the peer, not the parent's (PeerRewrite).
     */
    static final List<String> SERVER_SOCKETS = List.of("java.net.ServerSocket",
            "sun.nio.ch.ServerSocketChannelImpl", "sun.nio.ch.AsynchronousServerSocketChannelImpl",
            "sun.nio.ch.ServerSocketAdaptor", "sun.nio.ch.NioSocketImpl",
            "sun.nio.ch.UnixAsynchronousServerSocketChannelImpl");

    private static Map<String, AsmVisitorWrapper> bindHooks() {
        AsmVisitorWrapper bind = Advice.to(BindAdvice.class)
                .on(named("bind").and(takesArguments(SocketAddress.class, int.class)));
        AsmVisitorWrapper getLocalAddress = Advice.to(SeenAddressAdvice.Address.class)
                .on(named("getLocalAddress").and(takesArguments(0)));
        Map<String, AsmVisitorWrapper> hooks = new LinkedHashMap<>();
        hooks.put("java.net.ServerSocket", new AsmVisitorWrapper.Compound(bind,
                Advice.to(SeenAddressAdvice.Host.class).on(named("getInetAddress").and(takesArguments(0))),
                Advice.to(SeenAddressAdvice.Port.class).on(named("getLocalPort").and(takesArguments(0)))));
        hooks.put("sun.nio.ch.ServerSocketChannelImpl", new AsmVisitorWrapper.Compound(bind, getLocalAddress,
                Advice.to(PeerAdvice.ChannelAccept.class).on(named("finishAccept")
                        .and(takesArguments(FileDescriptor.class, SocketAddress.class)))));
        hooks.put("sun.nio.ch.AsynchronousServerSocketChannelImpl", new AsmVisitorWrapper.Compound(bind, getLocalAddress));
        hooks.put("sun.nio.ch.ServerSocketAdaptor", new AsmVisitorWrapper.Compound(
                Advice.to(SeenAddressAdvice.AdaptorHost.class)
                        .on(named("getInetAddress").and(takesArguments(0)).and(returns(InetAddress.class))),
                Advice.to(SeenAddressAdvice.AdaptorPort.class)
                        .on(named("getLocalPort").and(takesArguments(0)).and(returns(int.class)))));
        hooks.put("sun.nio.ch.NioSocketImpl", Advice.to(PeerAdvice.SocketAccept.class)
                .on(named("accept").and(takesArguments(SocketImpl.class))));
        // JDK 17 passes an AccessControlContext as a third argument, JDK 25 does not
        hooks.put("sun.nio.ch.UnixAsynchronousServerSocketChannelImpl", Advice.to(PeerAdvice.AsyncAccept.class)
                .on(named("finishAccept").and(takesArgument(0, FileDescriptor.class))
                        .and(takesArgument(1, InetSocketAddress.class))));
        return hooks;
    }

    /** Parent: transforms the workers' bind hooks once, into {@code directory}, for {@link #installBindHooks}. */
    public static void prepareBindHooks(Path directory) throws IOException {
        PreparedClasses.write(AdviceTransformer.transformedBootClasses(bindHooks()), directory);
    }

    /**
     * Worker: installs the bind hooks the parent prepared in {@code directory}, or, should they be missing,
     * transforms them here. Returns what failed, one line each.
     */
    public static List<String> installBindHooks(Instrumentation instrumentation, Path directory) {
        NativeTransportHooks.install(instrumentation);
        openSocketImplFields(instrumentation);
        Map<String, byte[]> prepared = PreparedClasses.read(directory, SERVER_SOCKETS);
        if (prepared != null) {
            List<String> failures = PreparedClasses.redefine(instrumentation, prepared);
            if (failures.isEmpty()) {
                return failures;
            }
        }
        return AdviceTransformer.install(instrumentation, bindHooks());
    }

    /**
     * ServerSocket's accepted sockets keep their peer in java.net.SocketImpl's protected fields, which PeerRewrite
     * sets; java.base opens java.net to jcluster's boot classes for that, and to nothing else.
     */
    private static void openSocketImplFields(Instrumentation instrumentation) {
        Module javaBase = Object.class.getModule();
        Module bootstrap = PeerRewrite.class.getModule();
        try {
            if (!javaBase.isOpen("java.net", bootstrap)) {
                instrumentation.redefineModule(javaBase, Set.of(), Map.of(), Map.of("java.net", Set.of(bootstrap)),
                        Set.of(), Map.of());
            }
        } catch (RuntimeException e) {
            // the app still runs; PeerRewrite counts each such accept as a fallback on /metrics
            System.err.println("[jcluster] worker: sockets from ServerSocket.accept keep 127.0.0.1 as their peer ("
                    + e + ")");
        }
    }

    /**
     * Worker with sessions=shared: where each server starts the sessions of a context, the advice hands it to its
     * adapter (worker.sessions). These are the app's classes, loaded later by the app's loaders: they are transformed
     * as they load, by name, in whichever loader.
     */
    static Map<String, AsmVisitorWrapper> sessionHooks() {
        Map<String, AsmVisitorWrapper> hooks = new LinkedHashMap<>();
        hooks.put("org.apache.catalina.core.StandardContext", Advice.to(SessionAdvice.Tomcat.class)
                .on(named("startInternal").and(takesArguments(0))));
        hooks.put("org.eclipse.jetty.session.AbstractSessionManager", Advice.to(SessionAdvice.Jetty.class)
                .on(named("doStart").and(takesArguments(0))));
        hooks.put("io.undertow.server.session.InMemorySessionManager", new AsmVisitorWrapper.Compound(
                Advice.to(SessionAdvice.Undertow.class).on(isConstructor()),
                Advice.to(SessionAdvice.Undertow.Calls.class).on(named("createSession").and(takesArguments(2))
                        .or(named("getSession").and(takesArguments(2).or(takesArguments(String.class))))),
                Advice.to(SessionAdvice.Undertow.Stop.class).on(named("stop").and(takesArguments(0)))));
        return hooks;
    }

    /** Worker with sessions=shared: installs {@link #sessionHooks()} for the classes the app loads from now on. */
    public static void installSessionHooks(Instrumentation instrumentation) {
        AdviceTransformer.installOnLoad(instrumentation, sessionHooks());
    }

    /** The JDK class whose checkAndLoadMain picks the class the launcher runs. */
    static final String LAUNCHER = "sun.launcher.LauncherHelper";

    private static AsmVisitorWrapper launchRedirect() {
        return Advice.to(LaunchAdvice.class)
                .on(named("checkAndLoadMain").and(takesArguments(boolean.class, int.class, String.class)));
    }

    /**
     * Parent, before its restart: the launch redirect and the workers' bind hooks, transformed into
     * {@code directory} for the restarted image, which then loads no Byte Buddy (the same java binary runs both).
     */
    public static void prepareParent(Path directory) throws IOException {
        Map<String, AsmVisitorWrapper> classes = new LinkedHashMap<>(bindHooks());
        classes.put(LAUNCHER, launchRedirect());
        PreparedClasses.write(AdviceTransformer.transformedBootClasses(classes), directory);
    }

    /** Whether {@code directory} holds the workers' bind hooks already ({@link #prepareParent}). */
    public static boolean bindHooksPrepared(Path directory) {
        return PreparedClasses.read(directory, SERVER_SOCKETS) != null;
    }

    /**
     * Parent: the Java launcher loads {@code mainClass} instead of the app's main class; from the class the image
     * before the restart prepared in {@code prepared} (may be null), else transformed here. Returns what failed.
     */
    public static List<String> redirectLaunch(Instrumentation instrumentation, String mainClass, Path prepared) {
        LaunchRedirect.redirectTo(mainClass);
        Map<String, byte[]> launcher = prepared == null ? null : PreparedClasses.read(prepared, List.of(LAUNCHER));
        if (launcher != null && PreparedClasses.redefine(instrumentation, launcher).isEmpty()) {
            return List.of();
        }
        return AdviceTransformer.install(instrumentation, Map.of(LAUNCHER, launchRedirect()));
    }
}
