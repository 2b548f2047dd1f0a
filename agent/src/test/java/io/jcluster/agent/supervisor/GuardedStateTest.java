package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The supervisor's threads (its own, the probes', the control channel's, the admin endpoint's) share its state, so
 * every field (here and in its sub-packages) says how it is shared: final and immutable or of a concurrent type, volatile, or
 * {@link GuardedBy @GuardedBy} a lock. A field added without saying so fails here.
 */
class GuardedStateTest {

    private static final String PACKAGE = "io.jcluster.agent.supervisor";
    /**
     * Never shared while they change: immutable values (their lists are List.copyOf) built before any thread sees
     * them, and objects one thread owns for their whole life (a relay's thread, a probe's socket).
     */
    private static final List<String> NOT_SHARED = List.of("WorkerCommand", "WorkerShares", "CommandLine",
            "OutputRelay", "ProbeSocket");

    @Test
    void everyMutableFieldOfTheSupervisorIsVolatileConcurrentOrGuarded() throws Exception {
        List<Class<?>> classes = supervisorClasses();
        assertTrue(classes.size() > 20, "found the supervisor's classes: " + classes);
        List<String> unguarded = new ArrayList<>();
        for (Class<?> type : classes) {
            if (NOT_SHARED.contains(type.getSimpleName())) {
                continue;
            }
            unguarded.addAll(unguardedFields(type));
        }
        assertEquals(List.of(), unguarded);
    }

    /** The check itself finds what it is meant to find. */
    @Test
    void theCheckFindsAnUnguardedField() {
        assertEquals(List.of("Sloppy.count", "Sloppy.names"), unguardedFields(Sloppy.class));
    }

    @SuppressWarnings("unused")
    private static final class Sloppy {
        private int count;
        private final List<String> names = new ArrayList<>();
        private final java.util.concurrent.ConcurrentHashMap<String, String> shared = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile int seen;
        @GuardedBy("this")
        private int guarded;
        private final String name = "immutable";
    }

    private static List<String> unguardedFields(Class<?> type) {
        List<String> unguarded = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) || field.isSynthetic() || field.isAnnotationPresent(GuardedBy.class)
                    || Modifier.isVolatile(modifiers)) {
                continue;
            }
            if (!Modifier.isFinal(modifiers) || !safelyShared(field.getType())) {
                unguarded.add(type.getSimpleName() + "." + field.getName());
            }
        }
        unguarded.sort(null);
        return unguarded;
    }

    /** A final field of this type needs no lock: it cannot change, or it is made to be shared. */
    private static boolean safelyShared(Class<?> type) {
        if (type.isArray()) {
            return false;
        }
        if (Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)) {
            return type.getPackageName().equals("java.util.concurrent");
        }
        return true;
    }

    private static List<Class<?>> supervisorClasses() throws URISyntaxException, ClassNotFoundException, java.io.IOException {
        URL url = Supervisor.class.getResource("Supervisor.class");
        Path directory = Path.of(url.toURI()).getParent();
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String relative = directory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                if (relative.endsWith(".class")) {
                    classes.add(Class.forName(PACKAGE + "." + relative.substring(0, relative.length() - ".class".length()),
                            false, Supervisor.class.getClassLoader()));
                }
            }
        }
        return classes;
    }
}
