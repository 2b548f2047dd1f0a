package io.jcluster.agent.instrument;

import java.io.IOException;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Instrumented JDK classes that the parent transforms once and every worker installs as they are. A worker runs
 * the same java binary as its parent, so the parent's result fits it byte for byte; the worker then redefines the
 * classes with plain java.lang.instrument and loads no Byte Buddy at all, which measured here takes a few
 * milliseconds instead of about 200.
 */
final class PreparedClasses {

    private static final String SUFFIX = ".class";

    private PreparedClasses() {
    }

    /** Writes each class file as {@code <class name>.class} into {@code directory}. */
    static void write(Map<String, byte[]> classes, Path directory) throws IOException {
        for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
            Files.write(directory.resolve(entry.getKey() + SUFFIX), entry.getValue());
        }
    }

    /** The prepared class files of {@code names} in {@code directory}, or null when any is missing. */
    static Map<String, byte[]> read(Path directory, List<String> names) {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (String name : names) {
            try {
                classes.put(name, Files.readAllBytes(directory.resolve(name + SUFFIX)));
            } catch (IOException e) {
                return null;
            }
        }
        return classes;
    }

    /** Redefines the boot classes (loading them first if need be); returns what failed, one line each. */
    static List<String> redefine(Instrumentation instrumentation, Map<String, byte[]> classes) {
        List<ClassDefinition> definitions = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
            try {
                definitions.add(new ClassDefinition(Class.forName(entry.getKey(), false, null), entry.getValue()));
            } catch (ClassNotFoundException e) {
                failures.add(entry.getKey() + ": " + e);
            }
        }
        try {
            // the inlined advice calls jcluster's boot classes: the JDK's modules must read their (unnamed) module.
            // A ClassFileTransformer gets that edge from the JVM; redefinition does not.
            Module agent = PreparedClasses.class.getModule();
            for (ClassDefinition definition : definitions) {
                Module target = definition.getDefinitionClass().getModule();
                if (!target.canRead(agent)) {
                    instrumentation.redefineModule(target, Set.of(agent), Map.of(), Map.of(), Set.of(), Map.of());
                }
            }
            instrumentation.redefineClasses(definitions.toArray(new ClassDefinition[0]));
        } catch (ClassNotFoundException | UnmodifiableClassException | RuntimeException | LinkageError e) {
            failures.add(definitions + ": " + e);
        }
        return failures;
    }
}
