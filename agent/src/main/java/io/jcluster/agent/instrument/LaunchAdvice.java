package io.jcluster.agent.instrument;

import io.jcluster.bootstrap.LaunchRedirect;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code sun.launcher.LauncherHelper#checkAndLoadMain(boolean, int, String)}: in the parent the
 * launcher is told to load jcluster's parent main as a plain class, whatever the launch mode (-cp, -jar, -m,
 * source file). The app's main class is then never loaded, so not even its static initializer runs.
 */
public final class LaunchAdvice {

    private LaunchAdvice() {
    }

    @Advice.OnMethodEnter
    public static void enter(@Advice.Argument(value = 1, readOnly = false) int mode,
                             @Advice.Argument(value = 2, readOnly = false) String what) {
        String redirect = LaunchRedirect.mainClass();
        if (redirect != null) {
            mode = LaunchRedirect.LM_CLASS;
            what = redirect;
        }
    }
}
