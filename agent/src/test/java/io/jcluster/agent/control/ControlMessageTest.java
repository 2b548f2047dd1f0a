package io.jcluster.agent.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlMessageTest {

    @Test
    void messagesSurviveTheRoundTrip() throws ControlMessage.MalformedMessage {
        ControlMessage hello = new ControlMessage.Hello(3, 12345, "c0ffee");
        assertEquals("hello 3 12345 c0ffee", hello.encode());
        assertEquals(hello, ControlMessage.decode(hello.encode()));

        ControlMessage v4 = new ControlMessage.Bound(new InetSocketAddress("0.0.0.0", 8080), 41234);
        assertEquals("bound 0.0.0.0 8080 41234", v4.encode());
        assertEquals(v4, ControlMessage.decode(v4.encode()));

        ControlMessage v6 = new ControlMessage.Bound(new InetSocketAddress("::", 8443), 41235);
        assertEquals(v6, ControlMessage.decode(v6.encode()));

        ControlMessage unclustered = new ControlMessage.Unclustered(new InetSocketAddress("127.0.0.1", 8005));
        assertEquals("unclustered 127.0.0.1 8005", unclustered.encode());
        assertEquals(unclustered, ControlMessage.decode(unclustered.encode()));
    }

    @Test
    void operationsMessagesSurviveTheRoundTrip() throws ControlMessage.MalformedMessage {
        ControlMessage stats = new ControlMessage.Stats(95_170_560L, 38_988_104L, 69, 30);
        assertEquals("stats 95170560 38988104 69 30", stats.encode());
        assertEquals(stats, ControlMessage.decode(stats.encode()));
        assertEquals(new ControlMessage.Stats(-1, 5, -1, -1), ControlMessage.decode("stats -1 5 -1 -1"));

        assertEquals(new ControlMessage.DumpRequest(), ControlMessage.decode("dump"));
        assertEquals(new ControlMessage.DumpEnd(), ControlMessage.decode("dump-end"));
        ControlMessage line = new ControlMessage.DumpLine("    at app//samples.Foo.bar(Foo.java:64)  two  spaces ");
        assertEquals(line, ControlMessage.decode(line.encode()), "spaces inside a dump line are kept");
        assertEquals(new ControlMessage.DumpLine(""), ControlMessage.decode("dump-line "));
        assertEquals(new ControlMessage.ClientAddressFallbacks(12), ControlMessage.decode("client-address-fallbacks 12"));
        assertEquals("client-address-fallbacks 3", new ControlMessage.ClientAddressFallbacks(3).encode());
    }

    @Test
    void kernelBalancingMessagesSurviveTheRoundTrip() throws ControlMessage.MalformedMessage {
        assertEquals(new ControlMessage.Unlisten(), ControlMessage.decode("unlisten"));
        ControlMessage unshared = new ControlMessage.Unshared(new InetSocketAddress("0.0.0.0", 8080),
                "SO_REUSEPORT: no setReusePort on  com.acme.Channel");
        assertEquals("unshared 0.0.0.0 8080 SO_REUSEPORT: no setReusePort on  com.acme.Channel", unshared.encode());
        assertEquals(unshared, ControlMessage.decode(unshared.encode()), "spaces in the reason are kept");
    }

    @Test
    void aLongDumpLineIsCutToFitTheLineLimit() throws ControlMessage.MalformedMessage {
        String thread = "\"" + "\u00e9".repeat(500) + "\" RUNNABLE"; // 2 UTF-8 bytes per character
        ControlMessage.DumpLine line = new ControlMessage.DumpLine(thread + "\nsecond line");
        assertTrue(line.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 1024, line.encode());
        assertTrue(!line.text().contains("\n"));
        assertEquals(line, ControlMessage.decode(line.encode()));
    }

    @Test
    void aStopPortCarriesItsCommandOfAnyTextButNeverShowsIt() throws ControlMessage.MalformedMessage {
        for (String command : new String[] {"SHUTDOWN", "", "two words  and\ttab", "p\u00e4ss=w\u00f6rd/+", "x".repeat(512)}) {
            ControlMessage.StopPort report = new ControlMessage.StopPort(new InetSocketAddress("127.0.0.1", 8005),
                    ControlMessage.StopPort.TOMCAT, command);
            assertEquals(report, ControlMessage.decode(report.encode()));
            assertEquals(5, report.encode().split(" ", -1).length, report.encode());
            assertTrue(report.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 1024);
        }
        ControlMessage.StopPort report = new ControlMessage.StopPort(new InetSocketAddress("::1", 8005),
                ControlMessage.StopPort.TOMCAT, "SECRET-COMMAND");
        assertEquals("stop-port 0:0:0:0:0:0:0:1 8005 tomcat U0VDUkVULUNPTU1BTkQ=", report.encode());
        assertEquals(report, ControlMessage.decode(report.encode()));
        assertTrue(!report.toString().contains("SECRET"), report.toString());
    }

    @Test
    void aJettyStopPortCarriesItsKey() throws ControlMessage.MalformedMessage {
        ControlMessage.StopPort report = new ControlMessage.StopPort(new InetSocketAddress("127.0.0.1", 28282),
                ControlMessage.StopPort.JETTY, "secret");
        assertEquals("stop-port 127.0.0.1 28282 jetty c2VjcmV0", report.encode());
        assertEquals(report, ControlMessage.decode(report.encode()));
        assertTrue(!report.toString().contains("secret"), report.toString());
    }

    @Test
    void aMalformedStopPortNeverShowsTheCommand() {
        for (String line : new String[] {"stop-port 127.0.0.1 8005 tomcat !!c2VjcmV0", "stop-port 127.0.0.1 8005 undertow c2VjcmV0",
                "stop-port 127.0.0.1 0 tomcat c2VjcmV0", "stop-port localhost 8005 tomcat c2VjcmV0",
                "stop-port 127.0.0.1 8005 c2VjcmV0", "stop-port 127.0.0.1 8005 tomcat c2VjcmV0 more",
                "stop-port 127.0.0.1 8005 tomcat " + java.util.Base64.getEncoder().encodeToString(new byte[513])}) {
            ControlMessage.MalformedMessage rejected = assertThrows(ControlMessage.MalformedMessage.class,
                    () -> ControlMessage.decode(line), line);
            assertTrue(!rejected.getMessage().contains("c2VjcmV0") && !rejected.getMessage().contains("AAAA"),
                    rejected.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hello", "hello 1 2", "hello x 2 s", "bound 0.0.0.0 8080", "bound localhost 8080 1",
            "bound 0.0.0.0 0 41234", "bound 0.0.0.0 8080 70000", "stop now", "bound 0.0.0.0 8080 1 extra",
            "unclustered 0.0.0.0", "unclustered 0.0.0.0 0", "stats 1 2 3", "stats a 2 3 4", "dump now",
            "dump-end x", "unlisten now", "unshared 0.0.0.0 8080", "unshared host 8080 why", "unshared 0.0.0.0 0 why"})
    void malformedLinesAreRejected(String line) {
        assertThrows(ControlMessage.MalformedMessage.class, () -> ControlMessage.decode(line));
    }
}
