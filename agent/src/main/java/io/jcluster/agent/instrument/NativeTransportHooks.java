package io.jcluster.agent.instrument;

import io.jcluster.agent.worker.BindAdvice;
import io.jcluster.agent.worker.PeerAdvice;
import io.jcluster.agent.worker.SeenAddressAdvice;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.SocketAddress;
import java.security.ProtectionDomain;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Worker: the app's own Netty native transports (epoll, io_uring, kqueue) bind in native code, past the JDK's
 * sockets, so their server channels are hooked themselves: {@code doBind(SocketAddress)} gets the same bind
 * advice as the JDK classes, {@code localAddress()} reports the address the app asked for, and the child channel
 * {@code newChildChannel} makes for an accepted connection gets its client's address as its remote one. The app's Netty
 * may be shaded under any package, so classes are matched by the END of their name.
 *
 * <p>Every class the app loads passes through here, so this looks at the name alone; Byte Buddy is loaded only
 * when a matching class actually appears (an app without a native Netty transport loads none of it). The
 * advice references nothing of Netty, only the boot class path.
 */
final class NativeTransportHooks implements ClassFileTransformer {

    /**
     * Internal-name suffixes of the server channels. The abstract io_uring and kqueue server channels are named too,
     * in case doBind lives there: a second, nested doBind sees the rewritten port 0 and leaves it alone.
     */
    static final List<String> SERVER_CHANNELS = List.of(
            "/channel/epoll/EpollServerSocketChannel",
            "/channel/kqueue/KQueueServerSocketChannel",
            "/channel/kqueue/AbstractKQueueServerChannel",
            "/channel/uring/IoUringServerSocketChannel",
            "/channel/uring/AbstractIoUringServerChannel",
            "/incubator/channel/uring/IOUringServerSocketChannel",
            "/incubator/channel/uring/AbstractIOUringServerChannel");

    private static final String OWN_CLASSES = "io/jcluster/";

    private NativeTransportHooks() {
    }

    static void install(Instrumentation instrumentation) {
        instrumentation.addTransformer(new NativeTransportHooks(), false);
    }

    /** Whether {@code internalName} is one of the hooked server channels, in whatever package. */
    static boolean matches(String internalName) {
        if (internalName == null || internalName.startsWith(OWN_CLASSES) || !internalName.contains("/channel/")) {
            return false;
        }
        for (String suffix : SERVER_CHANNELS) {
            if (internalName.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader == null || classBeingRedefined != null || !matches(className)) {
            return null;
        }
        String name = className.replace('/', '.');
        try {
            return Instrumenter.instrument(loader, name, classfileBuffer);
        } catch (Throwable e) {
            // the app still runs, but this transport's binds stay where the app put them: say so, once per class
            System.err.println("[jcluster] worker: could not instrument " + name + " (" + e + "); its binds are not"
                    + " clustered");
            return null;
        }
    }

    /** Holds the Byte Buddy side, loaded on the first matching class only. */
    private static final class Instrumenter {

        private static final AsmVisitorWrapper HOOKS = new AsmVisitorWrapper.Compound(
                Advice.to(BindAdvice.class)
                        .on(named("doBind").and(takesArguments(1)).and(takesArgument(0, SocketAddress.class))),
                Advice.to(SeenAddressAdvice.Address.class)
                        .on(named("localAddress").and(takesArguments(0)).and(not(isBridge()))),
                Advice.to(PeerAdvice.NettyAccept.class).on(named("newChildChannel").and(not(isAbstract()))));

        static byte[] instrument(ClassLoader loader, String name, byte[] classFile) {
            return AdviceTransformer.apply(loader, name, classFile, HOOKS);
        }
    }
}
