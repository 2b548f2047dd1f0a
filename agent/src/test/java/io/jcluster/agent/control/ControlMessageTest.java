package io.jcluster.agent.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @ParameterizedTest
    @ValueSource(strings = {"", "hello", "hello 1 2", "hello x 2 s", "bound 0.0.0.0 8080", "bound localhost 8080 1",
            "bound 0.0.0.0 0 41234", "bound 0.0.0.0 8080 70000", "stop now", "bound 0.0.0.0 8080 1 extra",
            "unclustered 0.0.0.0", "unclustered 0.0.0.0 0"})
    void malformedLinesAreRejected(String line) {
        assertThrows(ControlMessage.MalformedMessage.class, () -> ControlMessage.decode(line));
    }
}
