package io.jcluster.agent.stop;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * SIGTERM and SIGINT handlers for the parent (and SIGHUP, SIGTTIN, SIGTTOU). They need sun.misc.Signal from the jdk.unsupported module, which a
 * class-path launch always has but a {@code -m} launch has only if the app's module graph requires it; without it
 * the caller falls back to a shutdown hook (which cannot tell a second signal from the first).
 */
public final class StopSignals {

    private StopSignals() {
    }

    /** Installs {@code handler} (called with "SIGTERM"/"SIGINT"); false when signals cannot be handled here. */
    public static boolean install(Consumer<String> handler) {
        if (ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            return false;
        }
        Unsupported.handle("TERM", handler);
        Unsupported.handle("INT", handler);
        return true;
    }

    /** Installs {@code handler} for SIGHUP (a reload); false when signals cannot be handled here. */
    public static boolean installReload(Runnable handler) {
        if (ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            return false;
        }
        Unsupported.handle("HUP", signal -> handler.run());
        return true;
    }

    /**
     * Installs {@code handler} for SIGTTIN (called with +1) and SIGTTOU (-1): Gunicorn's scale up and down by one
     * worker. False when signals cannot be handled here.
     */
    public static boolean installScaling(IntConsumer handler) {
        if (ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            return false;
        }
        try {
            Unsupported.handle("TTIN", signal -> handler.accept(1));
            Unsupported.handle("TTOU", signal -> handler.accept(-1));
            return true;
        } catch (IllegalArgumentException e) {
            return false; // a JVM that uses them itself: scaling by signal is not offered
        }
    }

    /** Loaded only when jdk.unsupported is present. */
    private static final class Unsupported {
        static void handle(String name, Consumer<String> handler) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> handler.accept("SIG" + name));
        }
    }
}
