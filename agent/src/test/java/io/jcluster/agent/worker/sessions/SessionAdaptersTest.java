package io.jcluster.agent.worker.sessions;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionAdaptersTest {

    /** Equal by a name, as Undertow's session managers are equal by deployment name. */
    private record Named(String name) {
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
}
