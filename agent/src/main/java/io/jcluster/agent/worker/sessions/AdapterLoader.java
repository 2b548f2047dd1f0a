package io.jcluster.agent.worker.sessions;

import java.io.IOException;
import java.io.InputStream;

/**
 * Defines the session adapters (module jcluster-sessions) beside a server's classes: its parent is the loader of
 * that server, so an adapter can extend the server's own extension points (Tomcat's ValveBase, Jetty's
 * AbstractSessionDataStore) while the agent jar, on the boot class path, never names them. The adapters' class
 * files travel inside the agent jar as resources under {@value #PREFIX}, where no class path finds them.
 */
final class AdapterLoader extends ClassLoader {

    static final String PREFIX = "META-INF/jcluster/sessions/";
    private static final String PACKAGE = "io.jcluster.sessions.";

    static {
        registerAsParallelCapable();
    }

    AdapterLoader(ClassLoader server) {
        super("jcluster-sessions", server);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith(PACKAGE)) {
            return super.loadClass(name, resolve);
        }
        // the adapters' own package is looked up here first: the app may not shadow it
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = findClass(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (!name.startsWith(PACKAGE)) {
            throw new ClassNotFoundException(name);
        }
        String resource = PREFIX + name.replace('.', '/') + ".class";
        try (InputStream in = ClassLoader.getSystemResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name + " (no " + resource + " in the agent jar)");
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }
}
