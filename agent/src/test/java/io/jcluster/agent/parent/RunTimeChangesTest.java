package io.jcluster.agent.parent;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.RunTimeValues;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the parent's SIGHUP line says about a change: each changed run-time option with its old and new value. */
class RunTimeChangesTest {

    @Test
    void eachChangedOptionIsNamedWithItsOldAndNewValueInTheTablesOrder() throws Exception {
        List<String> changes = RunTimeSignals.changes(
                OptionParser.parse("processes=1,strategy=round-robin,mode=http"),
                OptionParser.parse("processes=2,strategy=random,mode=http,header-timeout=2s,max-connections=100,"
                        + "max-memory=512m,health=/health,idle-timeout=5m,max-age=1h"));
        assertEquals(List.of("processes 1 -> 2", "strategy round-robin -> random", "max-connections 0 -> 100",
                "header-timeout 10s -> 2s", "idle-timeout 60s -> 5m", "health tcp -> /health",
                "max-memory off -> 512m", "max-age off -> 1h"), changes);
    }

    @Test
    void theSameValueWrittenAnotherWayIsNoChange() throws Exception {
        assertEquals(List.of(), RunTimeSignals.changes(OptionParser.parse("processes=2,header-timeout=10s"),
                OptionParser.parse("processes=2,header-timeout=10000ms")));
    }

    @Test
    void statusShowsTheValuesAsTheOptionsSayThem() throws Exception {
        var values = RunTimeValues.of(OptionParser.parse("processes=2,restart-delay=500ms,max-memory=1536m"));
        assertEquals("500ms", values.get("restart-delay"));
        assertEquals("1536m", values.get("max-memory"));
        assertEquals("30s", values.get("shutdown-timeout"));
        assertEquals("tcp", values.get("health"));
    }
}
