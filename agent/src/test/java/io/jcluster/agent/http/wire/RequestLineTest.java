package io.jcluster.agent.http.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which first bytes mark a connection's traffic as HTTP/1 requests, whose connections may move between requests. */
class RequestLineTest {

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\n", "POST /orders HTTP/1.1\r\n", "HEAD /x", "PUT /a", "DELETE /a",
            "PATCH /a", "OPTIONS * HTTP/1.1", "GET http://example/ HTTP/1.1"})
    void requestLinesAreRecognised(String start) {
        ByteBuf bytes = Unpooled.copiedBuffer(start, StandardCharsets.US_ASCII);
        int before = bytes.readerIndex();
        assertTrue(RequestLine.isStartOf(bytes), start);
        assertEquals(before, bytes.readerIndex(), "nothing consumed");
        bytes.release();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0016\u0003\u0001\u0002\u0000", "CONNECT host:443 HTTP/1.1", "GET", "GET ", "get / HTTP/1.1",
            "PRI * HTTP/2.0", "SSH-2.0-OpenSSH", "{\"json\":1}", "GETX / HTTP/1.1", "*1\r\n$4\r\nPING\r\n"})
    void otherBytesAreNot(String start) {
        ByteBuf bytes = Unpooled.copiedBuffer(start, StandardCharsets.ISO_8859_1);
        assertFalse(RequestLine.isStartOf(bytes), start);
        bytes.release();
    }
}
