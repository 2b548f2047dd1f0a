package io.jcluster.agent.worker.sessions;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionAdaptersTest {

    /** Equal by a name, as Undertow's session managers are equal by deployment name. */
    private record Named(String name) {
    }

    /** Stands in for a webapp's server object (a Tomcat StandardContext, say). */
    public static final class FakeServer {
    }

    /** Stands in for a session adapter: defined by the webapp's loader in the test, as an adapter's parent is it. */
    public static final class FakeAdapter implements Consumer<Object> {
        @Override
        public void accept(Object server) {
            // adopting is not what is tested here
        }
    }

    /** Defines the two fake classes itself, as a webapp's loader defines the webapp's classes. */
    private static final class WebappLoader extends ClassLoader {

        WebappLoader() {
            super("webapp", SessionAdaptersTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(FakeServer.class.getName()) && !name.equals(FakeAdapter.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }

    @Test
    void serverObjectsAreAdoptedOnceEachByIdentityNotByEquals() {
        Named first = new Named("ROOT");
        Named second = new Named("ROOT");
        assertTrue(SessionAdapters.firstTime(first));
        assertTrue(SessionAdapters.firstTime(second), "an equal but distinct manager is adopted too");
        assertFalse(SessionAdapters.firstTime(first), "the same object is adopted once");
        assertFalse(SessionAdapters.firstTime(second));
    }

    @Test
    void aRedeployedWebappsLoaderIsCollectedDespiteItsAdapter() throws Exception {
        WeakReference<ClassLoader> webapp = adaptInAThrowawayLoader();
        // bounded: a leaked loader stays reachable however often the collector runs
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (webapp.get() != null && System.nanoTime() < deadline) {
            System.gc();
            byte[][] pressure = new byte[64][];
            for (int i = 0; i < pressure.length; i++) {
                pressure[i] = new byte[64 * 1024];
            }
            Thread.sleep(pressure.length > 0 ? 20 : 0);
        }
        assertNull(webapp.get(), "the adapter cache keeps an unreachable webapp's class loader alive");
    }

    /** In its own frame, so that nothing on the test's stack refers to the loader. */
    private static WeakReference<ClassLoader> adaptInAThrowawayLoader() throws Exception {
        WebappLoader loader = new WebappLoader();
        Class<?> server = loader.loadClass(FakeServer.class.getName());
        Consumer<Object> adapter = SessionAdapters.adapter(server, FakeAdapter.class.getName());
        assertSame(loader, adapter.getClass().getClassLoader(), "the adapter lives beside the server's classes");
        assertSame(adapter, SessionAdapters.adapter(server, FakeAdapter.class.getName()), "one adapter per server");
        adapter.accept(server.getConstructor().newInstance());
        return new WeakReference<>(loader);
    }
}
