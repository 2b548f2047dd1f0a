package io.jcluster.agent.worker;

import io.jcluster.bootstrap.BindRewrite;
import net.bytebuddy.asm.Advice;

import java.net.SocketAddress;

/**
 * Inlined into {@code bind(SocketAddress, int)} of the JDK's server sockets and channels. It may reference
 * only the boot class path (java.* and io.jcluster.bootstrap): it runs inside java.base.
 */
public final class BindAdvice {

    private BindAdvice() {
    }

    /** Swaps the address to bind; returns the address the app asked for when it was swapped, else null. */
    @Advice.OnMethodEnter
    public static SocketAddress enter(@Advice.This Object socket,
                                      @Advice.Argument(value = 0, readOnly = false) SocketAddress local) {
        SocketAddress rewritten = BindRewrite.rewrite(local, socket);
        if (rewritten == local) {
            return null;
        }
        SocketAddress requested = local;
        local = rewritten;
        return requested;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class)
    public static void exit(@Advice.Enter SocketAddress requested, @Advice.This Object socket,
                            @Advice.Thrown Throwable thrown) {
        if (requested != null && thrown == null) {
            BindRewrite.bound(requested, socket);
        }
    }
}
