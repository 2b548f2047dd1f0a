package io.jcluster.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionCallsTest {

    /** Equal to every other one, as InMemorySessionManagers of one deployment name are. */
    private static final class Manager {
        @Override
        public boolean equals(Object other) {
            return other instanceof Manager;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    private final List<Object> registered = new ArrayList<>();

    @AfterEach
    void forgetAll() {
        registered.forEach(SessionCalls::forget);
        SharedSessions.install(null);
    }

    private void answer(Object server, java.util.function.BiFunction<String, Object[], Object> answerer) {
        registered.add(server);
        assertTrue(SessionCalls.answer(server, answerer));
    }

    @Test
    void theAnswererOfThatVeryObjectAnswersOthersRunTheirOwnCode() {
        Manager shared = new Manager();
        Manager other = new Manager();
        answer(shared, (method, arguments) -> method + " " + arguments[0]);
        assertEquals("getSession x", SessionCalls.ask(shared, "getSession", new Object[]{"x"}));
        assertNull(SessionCalls.ask(other, "getSession", new Object[]{"x"}), "an equal object is another server");
        SessionCalls.forget(shared);
        assertNull(SessionCalls.ask(shared, "getSession", new Object[]{"x"}));
    }

    @Test
    void whatTheAdapterThrowsReachesTheCaller() {
        Manager manager = new Manager();
        answer(manager, (method, arguments) -> {
            throw new IllegalStateException("the store failed");
        });
        assertThrows(IllegalStateException.class, () -> SessionCalls.ask(manager, "getSession", new Object[0]));
    }

    @Test
    void anAdapterThatDoesNotFitTheServerIsDroppedAndSaysSoOnce() {
        List<String> lines = new ArrayList<>();
        SharedSessions.install(new SharedSessions.Store() {
            public byte[] load(String context, String id) { return null; }
            public boolean save(String context, String id, byte[] record, long keepSeconds) { return true; }
            public void remove(String context, String id) { }
            public void keptLocal(String server, String context, String reason) { }
            public void log(String line) { lines.add(line); }
        });
        Manager manager = new Manager();
        answer(manager, (method, arguments) -> {
            throw new NoSuchMethodError("SessionListeners.sessionCreated");
        });
        assertNull(SessionCalls.ask(manager, "createSession", new Object[0]), "the server's own code runs");
        assertNull(SessionCalls.ask(manager, "createSession", new Object[0]));
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("NoSuchMethodError"), lines.get(0));
    }

    @Test
    void registrationsAreBounded() {
        List<Object> servers = new ArrayList<>();
        for (int i = 0; i < SessionCalls.MAX_SERVERS; i++) {
            Object server = new Object();
            servers.add(server);
            answer(server, (method, arguments) -> null);
        }
        Object oneTooMany = new Object();
        assertFalse(SessionCalls.answer(oneTooMany, (method, arguments) -> "answered"));
        assertNull(SessionCalls.ask(oneTooMany, "getSession", new Object[0]));
        servers.forEach(SessionCalls::forget);
        answer(oneTooMany, (method, arguments) -> "answered");
        assertEquals("answered", SessionCalls.ask(oneTooMany, "getSession", new Object[0]));
    }
}
