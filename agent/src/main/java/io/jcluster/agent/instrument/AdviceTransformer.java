package io.jcluster.agent.instrument;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.io.IOException;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies Byte Buddy advice to a few JDK classes named up front. Every class the JVM loads passes through a
 * transformer; this one looks at the name alone and leaves the class untouched unless it is one of its targets.
 * That is why it is not Byte Buddy's AgentBuilder, which describes and matches every loaded class: measured here,
 * that cost about 280 ms of each JVM's start, and the app's startup paid per class on top.
 */
final class AdviceTransformer implements ClassFileTransformer {

    /** By internal name (java/net/ServerSocket): what to apply to that class. */
    private final Map<String, AsmVisitorWrapper> targets;
    private final List<String> failures = new ArrayList<>();
    /** Whether a failure is said at once on stderr (there is nobody to return it to). */
    private final boolean reportFailures;

    private AdviceTransformer(Map<String, AsmVisitorWrapper> targets) {
        this(targets, false);
    }

    private AdviceTransformer(Map<String, AsmVisitorWrapper> targets, boolean reportFailures) {
        this.targets = targets;
        this.reportFailures = reportFailures;
    }

    /**
     * Transforms the named boot classes now (loading them if need be) and whenever they load again.
     * Returns what failed, one line each; empty when every target was transformed.
     */
    static List<String> install(Instrumentation instrumentation, Map<String, AsmVisitorWrapper> byClassName) {
        Map<String, AsmVisitorWrapper> byInternalName = new HashMap<>();
        byClassName.forEach((name, wrapper) -> byInternalName.put(name.replace('.', '/'), wrapper));
        AdviceTransformer transformer = new AdviceTransformer(Map.copyOf(byInternalName));
        instrumentation.addTransformer(transformer, true);
        for (String name : byClassName.keySet()) {
            try {
                // a class already loaded before the transformer existed needs retransforming; one loaded here
                // was transformed while loading, and retransforming it again from its original bytes is harmless
                instrumentation.retransformClasses(Class.forName(name, false, null));
            } catch (ClassNotFoundException | UnmodifiableClassException | RuntimeException e) {
                transformer.failed(name, e);
            }
        }
        synchronized (transformer.failures) {
            return List.copyOf(transformer.failures);
        }
    }

    /**
     * Transforms the named classes whenever a loader loads them from now on (the app's classes, none loaded yet).
     * A failure is one line on stderr: that class then runs as it was.
     */
    static void installOnLoad(Instrumentation instrumentation, Map<String, AsmVisitorWrapper> byClassName) {
        Map<String, AsmVisitorWrapper> byInternalName = new HashMap<>();
        byClassName.forEach((name, wrapper) -> byInternalName.put(name.replace('.', '/'), wrapper));
        instrumentation.addTransformer(new AdviceTransformer(Map.copyOf(byInternalName), true), false);
    }

    /**
     * The transformed class files of the named boot classes, from the JDK's own copies, for another JVM of the
     * same java binary to install without any Byte Buddy (see {@link PreparedClasses}).
     */
    static Map<String, byte[]> transformedBootClasses(Map<String, AsmVisitorWrapper> byClassName) throws IOException {
        ClassFileLocator jdk = ClassFileLocator.ForClassLoader.ofBootLoader();
        Map<String, byte[]> transformed = new LinkedHashMap<>();
        for (Map.Entry<String, AsmVisitorWrapper> target : byClassName.entrySet()) {
            byte[] original = jdk.locate(target.getKey()).resolve();
            transformed.put(target.getKey(), apply(null, target.getKey(), original, target.getValue()));
        }
        return transformed;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        AsmVisitorWrapper wrapper = className == null ? null : targets.get(className);
        if (wrapper == null) {
            return null;
        }
        String name = className.replace('/', '.');
        try {
            return apply(loader, name, classfileBuffer, wrapper);
        } catch (Throwable e) {
            failed(name, e);
            return null;
        }
    }

    /** Decorates only: no member is added or removed, as retransformation and redefinition require. */
    static byte[] apply(ClassLoader loader, String name, byte[] classFile, AsmVisitorWrapper wrapper) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(name, classFile),
                ClassFileLocator.ForClassLoader.of(loader));
        return new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .decorate(TypePool.Default.of(locator).describe(name).resolve(), locator)
                .visit(wrapper)
                .make()
                .getBytes();
    }

    private void failed(String name, Throwable e) {
        if (reportFailures) {
            System.err.println("[jcluster] worker: could not instrument " + name + " (" + e + ")");
        }
        synchronized (failures) {
            failures.add(name + ": " + e);
        }
    }
}
