package io.jcluster.it;

import org.junit.jupiter.api.Test;
import samples.recording.StrictRequestParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reference parser of HttpDesyncIT and its corpus file: what they accept, refuse and how they split. */
class StrictRequestParserTest {

    @Test
    void splitsWellFramedRequests() throws IOException {
        List<String> requests = read("\r\nPOST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "POST /b HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n3;a=b;c=\"d\\\" e\"\r\nhel\r\n2 ; x\r\nlo\r\n0\r\nT: t\r\n\r\n"
                + "GET /c HTTP/1.0\r\n\r\n");
        assertEquals(List.of("POST /a hello", "POST /b hello", "GET /c "), requests);
    }

    @Test
    void refusesWhatTwoParsersCouldSplitDifferently() {
        String cl = "POST /a HTTP/1.1\r\nHost: x\r\n";
        String chunked = cl + "Transfer-Encoding: chunked\r\n\r\n";
        for (String bad : List.of(
                cl + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                cl + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                cl + "Content-Length: +5\r\n\r\nhello",
                cl + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
                cl + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
                cl + "X: y\r\n z\r\n\r\n",
                cl + "X: y\rZ: w\r\n\r\n",
                "POST /a HTTP/1.1\nHost: x\r\n\r\n",
                "POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                chunked + "5 \r\nhello\r\n0\r\n\r\n",
                chunked + "5;\r\nhello\r\n0\r\n\r\n",
                chunked + "5;a\rb\r\nhello\r\n0\r\n\r\n",
                chunked + "5;a\nhello\r\n0\r\n\r\n",
                chunked + "0x5\r\nhello\r\n0\r\n\r\n",
                chunked + "5\r\nhello\n0\r\n\r\n",
                chunked + "0000000000000005\r\nhello\r\n0\r\n\r\n",
                chunked + "5\r\nhello\r\n0\r\nGET / HTTP/1.1\r\n\r\n",
                chunked + "5\r\nhello\r\n0\n\n")) {
            assertThrows(StrictRequestParser.Malformed.class, () -> read(bad), StrictRequestParser.escape(
                    bad.getBytes(StandardCharsets.ISO_8859_1)));
        }
        assertThrows(StrictRequestParser.Truncated.class, () -> read(cl + "Content-Length: 9\r\n\r\nhello"));
    }

    @Test
    void corpusHasEnoughNamedVectorsAndItsEscapesRoundTrip() {
        List<SmugglingVector> corpus = SmugglingCorpus.load();
        assertTrue(corpus.size() >= 80, corpus.size() + " vectors");
        for (SmugglingVector vector : corpus) {
            assertEquals(vector.escaped(), StrictRequestParser.escape(SmugglingCorpus.unescape(vector.escaped(), 0)),
                    vector.name());
        }
        assertEquals("a\r\n\u00ff\\", new String(SmugglingCorpus.unescape("a\\r\\n\\xff\\\\", 0), StandardCharsets.ISO_8859_1));
    }

    private static List<String> read(String text) throws IOException {
        StrictRequestParser parser = new StrictRequestParser(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
        List<String> requests = new ArrayList<>();
        StrictRequestParser.Request request;
        while ((request = parser.next()) != null) {
            requests.add(request.method() + " " + request.target() + " " + new String(request.body(), StandardCharsets.ISO_8859_1));
        }
        return requests;
    }
}
