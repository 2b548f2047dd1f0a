package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.wire.MessageHead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.jcluster.agent.http.cache.Heads.T0;
import static io.jcluster.agent.http.cache.Heads.cacheRequest;
import static io.jcluster.agent.http.cache.Heads.date;
import static io.jcluster.agent.http.cache.Heads.facts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cache's field parsing against hostile and odd values: HTTP-dates (RFC 9110 section 5.6.7 with RFC 9111 4.2),
 * Cache-Control (RFC 9111 5.2) whatever a client or worker puts in it, validators, Vary, the cache key, methods, and
 * the promise that reading a request and deciding a hit allocates nothing.
 */
class CacheFieldParsingTest {

    private static final String OK = "HTTP/1.1 200 OK|Date: " + date(0);
    /** Sun, 06 Nov 1994 08:49:37 GMT: RFC 9110's example instant. */
    private static final long EXAMPLE = 784_111_777L;

    static Object[][] dates() {
        return new Object[][]{
                {"IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", EXAMPLE},
                {"obsolete RFC 850 form, two-digit year", "Sunday, 06-Nov-94 08:49:37 GMT", EXAMPLE},
                {"asctime form, day padded with a space", "Sun Nov  6 08:49:37 1994", EXAMPLE},
                {"asctime form, two-digit day", "Sun Nov 06 08:49:37 1994", EXAMPLE},
                {"RFC 9111 4.2: matched case-insensitively", "SUN, 06 NOV 1994 08:49:37 gmt", EXAMPLE},
                {"RFC 850 year not more than 50 years ahead of 2023 is this century", "Monday, 01-Jan-35 00:00:00 GMT",
                        2_051_222_400L},
                {"RFC 850 year more than 50 years ahead is the century before", "Thursday, 01-Jan-80 00:00:00 GMT",
                        315_532_800L},
                {"a leap second is the second before it (not later than the value)", "Sat, 31 Dec 2016 23:59:60 GMT",
                        1_483_228_799L},
                {"29 February of a leap year", "Thu, 29 Feb 2024 12:00:00 GMT", 1_709_208_000L},
                {"a date before 1970 is a time in the past: 0", "Wed, 31 Dec 1969 23:59:59 GMT", 0L},
                {"RFC 9111 4.2: a zone other than GMT is invalid", "Sun, 06 Nov 1994 08:49:37 UTC", -1L},
                {"a numeric zone is invalid", "Sun, 06 Nov 1994 08:49:37 +0000", -1L},
                {"29 February of a common year", "Wed, 29 Feb 2023 12:00:00 GMT", -1L},
                {"31 April", "Mon, 31 Apr 2023 12:00:00 GMT", -1L},
                {"hour 24", "Sun, 06 Nov 1994 24:00:00 GMT", -1L},
                {"minute 60", "Sun, 06 Nov 1994 08:60:00 GMT", -1L},
                {"a one-digit day in IMF-fixdate", "Sun,  6 Nov 1994 08:49:37 GMT", -1L},
                {"an unknown month", "Sun, 06 Nov 1994 08:49:37 GMT".replace("Nov", "Nox"), -1L},
                {"an unknown day name", "Xyz, 06 Nov 1994 08:49:37 GMT", -1L},
                {"extra whitespace", "Sun, 06 Nov 1994  08:49:37 GMT", -1L},
                {"the value 0 (RFC 9111 5.3)", "0", -1L},
                {"empty", "", -1L},
                {"digits where letters go", "123, 06 Nov 1994 08:49:37 GMT", -1L},
                {"bytes past ASCII", "Sun, 06 N\u00f6v 1994 08:49:37 GMT", -1L},
                {"an RFC 850 date with a four-digit year", "Sunday, 06-Nov-1994 08:49:37 GMT", -1L},
        };
    }

    @ParameterizedTest(name = "RFC 9110 section 5.6.7: {0}")
    @MethodSource("dates")
    void httpDates(String rule, String value, long expected) {
        byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(expected, HttpDate.parse(b, 0, b.length, T0), rule);
    }

    @Test
    void everyPrefixAndEveryCorruptionOfADateIsRejectedWithoutAnException() {
        for (String value : new String[]{"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                "Sun Nov  6 08:49:37 1994"}) {
            byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
            for (int length = 0; length < b.length; length++) {
                assertEquals(-1, HttpDate.parse(b, 0, length, T0), value.substring(0, length));
            }
            for (int i = 0; i < b.length; i++) {
                for (int c : new int[]{0, ' ', ',', ':', '-', '9', 'x', 0xff}) {
                    byte[] corrupt = b.clone();
                    corrupt[i] = (byte) c;
                    long parsed = HttpDate.parse(corrupt, 0, corrupt.length, T0);
                    assertTrue(parsed == -1 || parsed >= 0, "never a negative time but -1");
                }
            }
        }
    }

    // ---- Cache-Control as a hostile sender writes it ----

    @Test
    void tenThousandDirectivesAreReadToTheLastOne() {
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            value.append("x-").append(i).append("=\"a, b\", ");
        }
        value.append("no-store");
        ResponseFacts f = facts(OK + "|Cache-Control: max-age=60, " + value);
        assertTrue(f.noStore());
        assertEquals(60, f.maxAge());
        CacheRequest request = cacheRequest("GET / HTTP/1.1|Host: a|Cache-Control: " + value);
        assertTrue(request.noStore());
    }

    @Test
    void aHundredThousandDigitNumberIsTwoToThe31st() {
        String digits = "9".repeat(100_000);
        ResponseFacts f = facts(OK + "|Cache-Control: max-age=" + digits + ", s-maxage=\"" + digits + "\"|Age: "
                + digits);
        assertEquals(CacheControl.INFINITY, f.maxAge());
        assertEquals(CacheControl.INFINITY, f.sMaxAge());
        assertEquals(CacheControl.INFINITY, f.age());
        // no overflow into a negative age or lifetime anywhere further on
        assertTrue(CachePolicy.currentAge(f, T0, T0, T0 + CacheControl.INFINITY) > 0);
    }

    @Test
    void commasAndDirectiveNamesInsideQuotedStringsAreArguments() {
        ResponseFacts f = facts(OK + "|Cache-Control: no-cache=\"Set-Cookie, no-store\", x=\"a\\\", private\", "
                + "max-age=60");
        assertTrue(f.noCache());
        assertFalse(f.noStore());
        assertFalse(f.privateResponse());
        assertEquals(60, f.maxAge());
    }

    @Test
    void emptyElementsAndStrayBytesDoNotHideDirectives() {
        ResponseFacts f = facts(OK + "|Cache-Control: ,,, =5, \"q\", max-age=60 ,\u00ff\u0080, ,no-store,,");
        assertTrue(f.noStore());
        assertEquals(60, f.maxAge());
    }

    @Test
    void restrictiveDirectivesCountWithAnArgumentPermissiveOnesDoNot() {
        ResponseFacts f = facts(OK + "|Cache-Control: no-store=1, must-revalidate=\"x\", public=yes, max-age=60");
        assertTrue(f.noStore());
        assertTrue(f.mustRevalidate());
        assertFalse(f.publicResponse());
    }

    @Test
    void unusableRequestDirectivesAreTheStricterReading() {
        CacheRequest request = cacheRequest("GET / HTTP/1.1|Host: a|Cache-Control: max-stale=x, min-fresh=, "
                + "max-age=1e3, stale-if-error=-1, only-if-cached=1");
        assertEquals(-1, request.maxStale(), "no staleness granted");
        assertEquals(CacheControl.INFINITY, request.minFresh(), "more freshness than anything has");
        assertEquals(0, request.maxAge(), "validate");
        assertTrue(request.noCache());
        assertEquals(-1, request.staleIfError());
        assertFalse(request.onlyIfCached());
        CacheRequest plain = cacheRequest("GET / HTTP/1.1|Host: a|Cache-Control: max-stale, only-if-cached");
        assertEquals(Long.MAX_VALUE, plain.maxStale());
        assertTrue(plain.onlyIfCached());
        assertFalse(plain.noCache());
    }

    @Test
    void anUnterminatedQuoteMakesARequestNoCacheAndNoStore() {
        CacheRequest request = cacheRequest("GET / HTTP/1.1|Host: a|Cache-Control: x=\"no-store, max-age=60");
        assertTrue(request.noStore(), "what follows the quote cannot be told apart: the stricter reading");
        assertTrue(request.noCache());
        ResponseFacts f = facts(OK + "|Cache-Control: max-age=60, x=\"");
        assertTrue(f.cacheControlMalformed());
        assertTrue(f.noStore());
        assertTrue(f.noCache());
    }

    // ---- validators, Vary, Location ----

    static Object[][] etags() {
        return new Object[][]{
                {"|ETag: \"xyzzy\"", "\"xyzzy\""},
                {"|ETag: W/\"xyzzy\"", "W/\"xyzzy\""},
                {"|ETag: \"\"", "\"\""},
                {"|ETag: xyzzy", null},
                {"|ETag: \"a\"b\"", null},
                {"|ETag: \"a b\"", null},
                {"|ETag: w/\"x\"", null},
                {"|ETag: \"a\"|ETag: \"b\"", null},
                {"", null},
        };
    }

    @ParameterizedTest(name = "RFC 9110 section 8.8.3: {0} -> {1}")
    @MethodSource("etags")
    void entityTags(String fields, String expected) {
        assertEquals(expected, facts(OK + fields).etag());
    }

    @Test
    void varyNamesAreLowerCaseInOrderWithoutDuplicates() {
        assertEquals(List.of("accept-encoding", "accept-language"),
                facts(OK + "|Vary: Accept-Encoding, ACCEPT-ENCODING|Vary: , accept-language ,").vary());
        assertEquals(List.of(), facts(OK).vary());
    }

    @Test
    void aVaryThatCannotBeMatchedReliablyIsStar() {
        StringBuilder many = new StringBuilder("a0");
        for (int i = 1; i <= ResponseFacts.MAX_VARY; i++) {
            many.append(", a").append(i);
        }
        assertEquals(List.of("*"), facts(OK + "|Vary: " + many).vary());
        assertEquals(List.of("*"), facts(OK + "|Vary: Accept, \"x\"").vary());
        assertEquals(List.of("*"), facts(OK + "|Vary: Accept|Vary: *").vary());
    }

    @Test
    void singletonFieldsGivenTwiceAreNotTrusted() {
        ResponseFacts f = facts("HTTP/1.1 201 Created|Location: /a|Location: /b|Content-Location: /c"
                + "|Date: " + date(0) + "|Date: " + date(5) + "|Last-Modified: " + date(-10));
        assertNull(f.location());
        assertEquals("/c", f.contentLocation());
        assertEquals(-1, f.date());
        assertEquals(T0 - 10, f.lastModified());
        assertEquals(201, f.status());
    }

    // ---- the key and the method ----

    static Object[][] keys() {
        return new Object[][]{
                {"GET /x?y HTTP/1.1|Host: A.Example:8080", false, "http://a.example:8080/x?y"},
                {"GET /x HTTP/1.1|Host: a.example", true, "https://a.example/x"},
                {"GET /A%2Fb HTTP/1.1|Host: a", false, "http://a/A%2Fb"},
                {"GET http://A.example/x?q HTTP/1.1|Host: a.example", false, "http://a.example/x?q"},
                {"GET http://a.example HTTP/1.1|Host: a.example", false, "http://a.example/"},
                {"GET http://a.example?q HTTP/1.1|Host: a.example", false, "http://a.example/?q"},
                {"GET /x HTTP/1.0", false, "http:///x"},
                {"GET http://a.example/x HTTP/1.0", false, "http://a.example/x"},
        };
    }

    @ParameterizedTest(name = "{0} (tls {1}) -> {2}")
    @MethodSource("keys")
    void theKeyIsSchemeHostAndTarget(String head, boolean secure, String expected) {
        CacheRequest request = new CacheRequest();
        request.read(Heads.request(head), secure);
        assertEquals(expected, request.key());
    }

    @Test
    void requestsForTwoHostsNeverShareAKey() {
        assertFalse(cacheRequest("GET /x HTTP/1.1|Host: a.example").key()
                .equals(cacheRequest("GET /x HTTP/1.1|Host: b.example").key()));
    }

    static Object[][] methods() {
        return new Object[][]{
                {"GET", true, false, false},
                {"HEAD", true, true, false},
                {"POST", false, false, true},
                {"PUT", false, false, true},
                {"DELETE", false, false, true},
                {"PATCH", false, false, true},
                {"OPTIONS", false, false, false},
                {"TRACE", false, false, false},
                {"get", false, false, true}, // RFC 9110 section 9.1: methods are case-sensitive
                {"GETX", false, false, true},
        };
    }

    @ParameterizedTest(name = "{0}: cacheable {1}, head {2}, unsafe {3}")
    @MethodSource("methods")
    void methods(String method, boolean cacheable, boolean head, boolean unsafe) {
        CacheRequest request = cacheRequest(method + " /x HTTP/1.1|Host: a|Content-Length: 0");
        assertEquals(cacheable, request.cacheableMethod());
        assertEquals(head, request.headMethod());
        assertEquals(unsafe, request.unsafeMethod());
    }

    static Object[][] overrides() {
        return new Object[][]{
                {"GET", "X-HTTP-Method-Override: DELETE"},
                {"GET", "x-http-method: PUT"},
                {"HEAD", "X-Method-Override: POST"},
                {"GET", "X-Original-URL: /admin/delete"},
                {"GET", "X-Rewrite-URL: /admin"},
                {"GET", "X-Original-Method: POST"},
        };
    }

    @ParameterizedTest(name = "{0} with {1}: neither answered nor stored, and it invalidates")
    @MethodSource("overrides")
    void aRequestWhoseMethodOrPathAHeaderOverridesIsOfUnknownSafety(String method, String header) {
        CacheRequest request = cacheRequest(method + " /x HTTP/1.1|Host: a|" + header);
        assertFalse(request.cacheableMethod());
        assertTrue(request.unsafeMethod());
        assertTrue(CachePolicy.invalidates(request, 200));
    }

    @Test
    void aReusedRequestForgetsThePreviousOne() {
        CacheRequest request = new CacheRequest();
        request.read(Heads.request("POST /a HTTP/1.1|Host: a|Authorization: x|Cache-Control: no-store, max-age=5"
                + "|Content-Length: 0"), false);
        assertTrue(request.authorization());
        assertEquals("http://a/a", request.key());
        request.read(Heads.request("GET /b HTTP/1.1|Host: b"), true);
        assertFalse(request.authorization());
        assertFalse(request.noStore());
        assertFalse(request.noCache());
        assertEquals(-1, request.maxAge());
        assertTrue(request.cacheableMethod());
        assertEquals("https://b/b", request.key());
        assertEquals("b", request.header("HOST"));
        assertNull(request.header("cache-control"));
    }

    @Test
    void readingARequestAndDecidingAHitAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "this JVM cannot count allocated bytes");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count allocated bytes");
        MessageHead head = Heads.request("GET /page?id=7 HTTP/1.1|Host: app.example|Accept-Encoding: gzip, br"
                + "|Accept-Language: en|Cache-Control: max-age=100, max-stale=5|User-Agent: t|Accept: */*");
        StoredResponse stored = CachePolicyRfcTest.stored(OK + "|Cache-Control: max-age=60"
                + "|Vary: Accept-Encoding, Accept-Language", "GET /page?id=7 HTTP/1.1|Host: app.example"
                + "|Accept-Encoding: gzip,br|Accept-Language: en");
        CacheRequest request = new CacheRequest();
        int rounds = 20_000;
        long sink = 0;
        for (int i = 0; i < rounds; i++) { // warm up: the scratch array grows once, the JIT settles
            sink += hit(request, head, stored);
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < rounds; i++) {
            sink += hit(request, head, stored);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(4L * rounds, sink, "every round was a fresh hit whose variant matched");
        // under one byte a round: any allocation per hit is 16 bytes or more a round, while a few one-off
        // kilobytes (a method compiled late on a loaded machine: 6,264 bytes were seen once) are not per hit
        assertTrue(allocated < rounds, allocated + " bytes allocated by " + rounds + " reads and hit decisions");
    }

    private static int hit(CacheRequest request, MessageHead head, StoredResponse stored) {
        request.read(head, false);
        return (request.cacheableMethod() && CachePolicy.varyMatches(request, stored) ? 1 : 0)
                + (CachePolicy.reuse(request, stored, T0 + 10) == CachePolicy.Reuse.FRESH ? 1 : 0);
    }
}
