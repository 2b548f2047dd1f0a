package io.jcluster.bootstrap;

/**
 * Read by advice inlined into {@code sun.launcher.LauncherHelper#checkAndLoadMain}: when a class name is set,
 * the Java launcher loads that class as the main class instead of the app's, so the app's main class is
 * never even loaded in the parent JVM.
 */
public final class LaunchRedirect {

    /** The launcher's mode for "the argument is a class name" (sun.launcher.LauncherHelper.LM_CLASS). */
    public static final int LM_CLASS = 1;

    private static volatile String mainClass;

    private LaunchRedirect() {
    }

    public static void redirectTo(String className) {
        mainClass = className;
    }

    /** The class to launch instead of the app's main class, or null to launch the app as usual. */
    public static String mainClass() {
        return mainClass;
    }
}
