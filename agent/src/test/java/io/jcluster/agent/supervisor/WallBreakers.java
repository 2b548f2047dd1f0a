package io.jcluster.agent.supervisor;

import io.jcluster.agent.routing.kernel.KernelRouting;
import net.bytebuddy.asm.Advice;

/** Classes that break the supervisor's walls on purpose, for ArchitectureWallsTest: never used. */
public final class WallBreakers {

    private WallBreakers() {
    }

    /** The supervisor changing classes itself. */
    public static final class UsesByteBuddy {
        final Advice.OnMethodEnter enter = null;
    }

    /** The supervisor asking which routing mode runs ('if (kernel)'). */
    public static final class KnowsKernelMode {
        final KernelRouting kernel = null;
    }
}
