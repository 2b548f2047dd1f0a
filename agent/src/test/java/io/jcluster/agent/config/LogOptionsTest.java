package io.jcluster.agent.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** log-time=, log-format= and access-log=: their values, defaults, and the one-line errors. */
class LogOptionsTest {

    @Test
    void defaultsAreTimeWhenNotATerminalTextAndNoAccessLog() throws OptionException {
        LogOptions logs = OptionParser.parse("processes=1").logs();
        assertEquals(LogOptions.DEFAULT, logs);
        assertNull(logs.accessLog());
    }

    @Test
    void everyValueParses() throws OptionException {
        LogOptions logs = OptionParser.parse("processes=1,mode=http,log-time=iso8601,log-format=json,"
                + "access-log=/var/log/app/access.log").logs();
        assertEquals(new LogOptions(LogOptions.Time.ISO8601, LogOptions.Format.JSON, "/var/log/app/access.log"), logs);
        assertEquals(LogOptions.Time.OFF, OptionParser.parse("processes=1,log-time=off").logs().time());
        assertEquals(LogOptions.STDOUT, OptionParser.parse("processes=1,mode=http,access-log=stdout").logs().accessLog());
        assertNull(OptionParser.parse("processes=1,mode=http,access-log=off").logs().accessLog());
        // one line per gRPC call, as nginx and HAProxy log them
        assertEquals(LogOptions.STDOUT, OptionParser.parse("processes=1,mode=grpc,access-log=stdout").logs().accessLog());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "log-time=utc             | log-time=utc: expected iso8601, off or auto",
            "log-format=xml           | log-format=xml: expected text or json",
            "log=inherit,log-format=json | log-format=json: needs log=prefix (with log=inherit the workers write straight to the output, so the parent cannot turn their lines into JSON)",
            "access-log=/tmp/a.log    | access-log=/tmp/a.log: needs mode=http or mode=grpc (tcp mode relays bytes and sees no requests)",
            "balancer=kernel,access-log=/tmp/a.log | access-log=/tmp/a.log: needs mode=http or mode=grpc (tcp mode relays bytes and sees no requests)",
    })
    void badValuesNameTheOptionAndWhatIsAccepted(String argument, String message) {
        OptionException error = assertThrows(OptionException.class, () -> OptionParser.parse(argument));
        assertEquals(message, error.getMessage());
    }
}
