package io.jcluster.sessions.tomcat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RateLimitedLogTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void saysTheFirstLineThenOneEveryTenSecondsWithHowManyItHeldBack() {
        List<String> said = new ArrayList<>();
        AtomicLong clock = new AtomicLong(42 * SECOND);
        RateLimitedLog log = new RateLimitedLog(said::add, clock::get);

        log.log("store down");
        assertEquals(List.of("store down"), said);
        for (int i = 0; i < 5; i++) {
            clock.addAndGet(SECOND);
            log.log("store down");
        }
        assertEquals(1, said.size(), "held back within 10 s: " + said);
        clock.addAndGet(5 * SECOND);
        log.log("store still down");
        assertEquals("store still down (and 5 more such lines in the last 10s)", said.get(1));
        clock.addAndGet(10 * SECOND);
        log.log("again");
        assertEquals("again", said.get(2), "nothing held back since");
    }
}
