package io.jcluster.agent.instrument;

import io.jcluster.bootstrap.SessionCalls;
import io.undertow.server.session.Session;
import io.undertow.server.session.SessionManager;
import net.bytebuddy.asm.AsmVisitorWrapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The Undertow entry of {@link AgentInstaller#sessionHooks()}, applied as a worker applies it to Undertow's own
 * InMemorySessionManager: a manager the adapter answers for (SessionCalls) gets the adapter's sessions, any other
 * runs Undertow's code; stop() tells the adapter first.
 */
class UndertowSessionHooksTest {

    private static final String MANAGER = "io.undertow.server.session.InMemorySessionManager";

    @Test
    void theAdapterAnswersTheManagersItSharesAndUndertowTheRest() throws Exception {
        SessionManager shared = newManager("shared");
        SessionManager plain = newManager("plain");
        Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Session.class},
                (proxy, method, arguments) -> method.getName().equals("getId") ? "id-from-the-store" : null);
        List<String> calls = new CopyOnWriteArrayList<>();
        SessionCalls.answer(shared, (method, arguments) -> {
            calls.add(method + "/" + arguments.length);
            return switch (method) {
                case "createSession" -> Optional.of(session);
                case "getSession" -> arguments.length == 1 && "known".equals(arguments[0])
                        ? Optional.of(session) : Optional.empty();
                default -> null;
            };
        });
        try {
            assertSame(session, shared.createSession(null, null), "the adapter's session, Undertow's code skipped");
            assertSame(session, shared.getSession("known"));
            assertNull(shared.getSession("unknown"), "the adapter's answer: no such session");
            assertNull(shared.getSession(null, null), "Undertow would throw without a config; the adapter answered");
            shared.stop();
            assertEquals(List.of("createSession/2", "getSession/1", "getSession/1", "getSession/2", "stop/0"), calls);

            // not shared: Undertow's own code, which wants a config
            assertThrows(IllegalStateException.class, () -> plain.createSession(null, null));
            assertNull(plain.getSession("known"));
        } finally {
            SessionCalls.forget(shared);
        }
    }

    @Test
    void theHookNeverThrowsIntoTheAppsConstructor() throws Exception {
        // a manager without a deployment name cannot be hashed (InMemorySessionManager.hashCode); adopting it fails
        io.jcluster.bootstrap.SharedSessions.install(new io.jcluster.bootstrap.SharedSessions.Store() {
            public byte[] load(String context, String id) { return null; }
            public boolean save(String context, String id, byte[] record, long keepSeconds) { return true; }
            public void remove(String context, String id) { }
            public void keptLocal(String server, String context, String reason) { }
            public void log(String line) { }
        });
        try {
            SessionManager nameless = newManager(null);
            assertNull(nameless.getDeploymentName());
        } finally {
            io.jcluster.bootstrap.SharedSessions.install(null);
        }
    }

    /** A manager of Undertow's class transformed by the Undertow entry of sessionHooks(). */
    private static SessionManager newManager(String name) throws Exception {
        Class<?> type = Class.forName(MANAGER, true, new Transformed(UndertowSessionHooksTest.class.getClassLoader()));
        return (SessionManager) type.getConstructor(String.class).newInstance(name);
    }

    /** Defines InMemorySessionManager (transformed) and its nested classes itself; everything else from its parent. */
    private static final class Transformed extends ClassLoader {
        Transformed(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(MANAGER) && !name.startsWith(MANAGER + "$")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                byte[] bytes;
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    bytes = in.readAllBytes();
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
                if (name.equals(MANAGER)) {
                    AsmVisitorWrapper hooks = AgentInstaller.sessionHooks().get(MANAGER);
                    bytes = AdviceTransformer.apply(getParent(), name, bytes, hooks);
                }
                return defineClass(name, bytes, 0, bytes.length);
            }
        }
    }
}
