package io.jcluster.agent.memory;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A restart in the same process: {@code execve(2)} through java.lang.foreign (JDK 22+), by reflection, since the
 * agent compiles for JDK 17. The pid, the parent process, open descriptors (stdin, stdout, stderr) and the process's
 * place under a supervisor (systemd, PM2, a shell's job) stay; only the program image and its JVM flags change. Used
 * by the standalone balancer ({@code OwnJvmFlags}) and by the agent's parent ({@link ParentRestart}), each with JVM
 * flags of its own.
 */
public final class Execve {

    private Execve() {
    }

    /** Whether this JVM can replace its image: JDK 22+ (the foreign function API is final there). */
    public static boolean available() {
        return Runtime.version().feature() >= 22;
    }

    /** Whether restricted methods may be called from jcluster's classes without a warning (JDK 22+). */
    public static boolean nativeAccessEnabled() {
        try {
            Method enabled = Module.class.getMethod("isNativeAccessEnabled");
            return (Boolean) enabled.invoke(Execve.class.getModule());
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Grants native access to the unnamed modules, jcluster's among them (it is on the boot class path), as
     * {@code --enable-native-access=ALL-UNNAMED} would: the {@code Enable-Native-Access} manifest attribute counts
     * for an executable jar, not for an agent's. An agent may change any module ({@link Instrumentation}); this one
     * uses that only for the instant before {@link #call}, in a parent that runs none of the app's code. Returns
     * whether native access is enabled now.
     */
    public static boolean enableNativeAccess(Instrumentation instrumentation) {
        if (nativeAccessEnabled()) {
            return true;
        }
        try {
            Module base = Object.class.getModule();
            instrumentation.redefineModule(base, Set.of(), Map.of("jdk.internal.access", Set.of(Execve.class.getModule())),
                    Map.of(), Set.of(), Map.of());
            Class<?> access = Class.forName("jdk.internal.access.JavaLangAccess");
            Object javaLang = Class.forName("jdk.internal.access.SharedSecrets").getMethod("getJavaLangAccess")
                    .invoke(null);
            access.getMethod("addEnableNativeAccessToAllUnnamed").invoke(javaLang);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
        return nativeAccessEnabled();
    }

    /**
     * Replaces this process's image with {@code path} run as {@code argv} in {@code env}, after flushing
     * System.out and System.err. Returns only when that failed: execve's result (-1).
     */
    public static int replaceProcess(String path, List<String> argv, Map<String, String> env) throws Throwable {
        List<String> environment = new ArrayList<>();
        env.forEach((key, value) -> environment.add(key + "=" + value));
        System.out.flush();
        System.err.flush();
        return call(path, argv, environment);
    }

    /**
     * Marks descriptors close-on-exec ({@code fcntl(fd, F_SETFD, FD_CLOEXEC)}): files this JVM opened for itself
     * without the flag (its class path's jars, the JDK's modules file) would otherwise stay open, unused, in the
     * image that replaces it. Returns how many it marked.
     */
    public static int closeOnExec(List<Integer> descriptors) throws Throwable {
        if (descriptors.isEmpty()) {
            return 0;
        }
        Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
        Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
        Object linker = linkerType.getMethod("nativeLinker").invoke(null);
        Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
        Object symbol = ((Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, "fcntl"))
                .orElseThrow(() -> new IllegalStateException("no fcntl in the C library"));
        Object javaInt = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_INT").get(null);
        Object arguments = Array.newInstance(layoutType, 3);
        for (int i = 0; i < 3; i++) {
            Array.set(arguments, i, javaInt);
        }
        Object descriptor = descriptorType.getMethod("of", layoutType, arguments.getClass())
                .invoke(null, javaInt, arguments);
        Object options = Array.newInstance(optionType, 1); // fcntl(int fd, int cmd, ...): the third is variadic
        Array.set(options, 0, optionType.getMethod("firstVariadicArg", int.class).invoke(null, 2));
        MethodHandle fcntl = (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType,
                options.getClass()).invoke(linker, symbol, descriptor, options);
        int marked = 0;
        for (int fd : descriptors) {
            if ((int) fcntl.invokeWithArguments(fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */) == 0) {
                marked++;
            }
        }
        return marked;
    }

    static int call(String path, List<String> argv, List<String> env) throws Throwable {
        Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
        Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayoutType = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> addressLayoutType = Class.forName("java.lang.foreign.AddressLayout");
        Class<?> arenaType = Class.forName("java.lang.foreign.Arena");
        Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> allocatorType = Class.forName("java.lang.foreign.SegmentAllocator");
        Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");

        Object linker = linkerType.getMethod("nativeLinker").invoke(null);
        Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
        Object symbol = ((Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, "execve"))
                .orElseThrow(() -> new IllegalStateException("no execve in the C library"));
        Object address = valueLayoutType.getField("ADDRESS").get(null);
        Object javaInt = valueLayoutType.getField("JAVA_INT").get(null);
        Object arguments = Array.newInstance(layoutType, 3);
        for (int i = 0; i < 3; i++) {
            Array.set(arguments, i, address);
        }
        Object descriptor = descriptorType.getMethod("of", layoutType, arguments.getClass())
                .invoke(null, javaInt, arguments);
        MethodHandle execve = (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType,
                Array.newInstance(optionType, 0).getClass())
                .invoke(linker, symbol, descriptor, Array.newInstance(optionType, 0));
        Object arena = arenaType.getMethod("global").invoke(null); // the process image goes, or we fail once
        Method allocateString = allocatorType.getMethod("allocateFrom", String.class);
        Method allocateArray = allocatorType.getMethod("allocate", layoutType, long.class);
        Method setAddress = segmentType.getMethod("setAtIndex", addressLayoutType, long.class, segmentType);
        Object nullSegment = segmentType.getField("NULL").get(null);
        Object[] strings = new Object[2];
        List<List<String>> lists = List.of(argv, env);
        for (int which = 0; which < 2; which++) {
            List<String> list = lists.get(which);
            Object array = allocateArray.invoke(arena, address, (long) list.size() + 1);
            for (int i = 0; i < list.size(); i++) {
                setAddress.invoke(array, address, (long) i, allocateString.invoke(arena, list.get(i)));
            }
            setAddress.invoke(array, address, (long) list.size(), nullSegment);
            strings[which] = array;
        }
        Object file = allocateString.invoke(arena, path);
        return (int) execve.invokeWithArguments(file, strings[0], strings[1]);
    }
}
