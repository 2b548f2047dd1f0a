package io.jcluster.agent.http.cache;

import io.jcluster.agent.http.cache.CachePolicy.Reuse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static io.jcluster.agent.http.cache.Heads.T0;
import static io.jcluster.agent.http.cache.Heads.cacheRequest;
import static io.jcluster.agent.http.cache.Heads.date;
import static io.jcluster.agent.http.cache.Heads.facts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 9111 (and RFC 5861) for a shared cache, one table per rule, each row taken from the section it names:
 * storability (section 3), freshness lifetime (4.2.1), age (4.2.3), reuse (4, 4.2, 4.2.4, 5.2), stale on error
 * (RFC 5861 section 4), Vary (4.1) and invalidation (4.4). Heads are written as on the wire ('|' is CRLF) and read
 * by the proxy's own scanner. Unless a row says otherwise the stored response was requested and received at T0 and
 * is dated T0.
 */
class CachePolicyRfcTest {

    private static final String GET = "GET /a HTTP/1.1|Host: a.example";
    private static final String OK = "HTTP/1.1 200 OK|Date: " + date(0);

    // ---- section 3 (and 3.5, 4.1, 5.2.x): may the response be stored? null = yes, else a fragment of why not ----

    static Object[][] storable() {
        return cite("RFC 9111 section ", new Object[][]{
                {"3: GET, 200, max-age: stored", GET, OK + "|Cache-Control: max-age=60", null},
                {"3: a method the cache does not understand (POST) is not stored", "POST /a HTTP/1.1|Host: a.example"
                        + "|Content-Length: 0", OK + "|Cache-Control: max-age=60", "method"},
                {"3 with RFC 9110 section 9.3.2: a response to HEAD is not stored (the GET fills the key)",
                        "HEAD /a HTTP/1.1|Host: a.example", OK + "|Cache-Control: max-age=60", "HEAD"},
                {"3.3: partial content (206) is not stored by a cache without range support", GET,
                        "HTTP/1.1 206 Partial Content|Cache-Control: max-age=60", "status 206"},
                {"3: a 304 is not stored (it only freshens, 4.3.4)", GET,
                        "HTTP/1.1 304 Not Modified|Cache-Control: max-age=60", "status 304"},
                {"3: a status the cache does not understand (500) is not stored", GET,
                        "HTTP/1.1 500 Oops|Cache-Control: max-age=60", "status 500"},
                {"3 with RFC 9110 section 15.1: 404 with explicit freshness is stored", GET,
                        "HTTP/1.1 404 Not Found|Cache-Control: max-age=60", null},
                {"3, 5.2.2.5: no-store in the response", GET, OK + "|Cache-Control: no-store, max-age=60",
                        "no-store"},
                {"5.2: directive names are compared case-insensitively (No-Store)", GET,
                        OK + "|Cache-Control: max-age=60, No-Store", "no-store"},
                {"5.2: directives on several Cache-Control lines all count", GET,
                        OK + "|Cache-Control: max-age=60|Cache-Control: no-store", "no-store"},
                {"5.2.1.5: no-store in the request", GET + "|Cache-Control: no-store", OK
                        + "|Cache-Control: max-age=60", "request no-store"},
                {"3, 5.2.2.7: private is not stored by a shared cache", GET, OK + "|Cache-Control: private, max-age=60",
                        "private"},
                {"5.2.2.7: qualified private=\"Set-Cookie\" is read as unqualified (the section's note)", GET,
                        OK + "|Cache-Control: private=\"Set-Cookie\", max-age=60", "private"},
                {"5.2.3: an unknown directive is ignored; the example private, community=\"UCI\" stays private",
                        GET, OK + "|Cache-Control: private, community=\"UCI\", max-age=60", "private"},
                {"5.2.3: an unknown directive alone does not stop storing", GET,
                        OK + "|Cache-Control: community=\"UCI\", max-age=60", null},
                {"3, 3.5: a request with Authorization is not stored without an explicit permission",
                        GET + "|Authorization: Basic YTpi", OK + "|Cache-Control: max-age=60", "Authorization"},
                {"3.5, 5.2.2.9: public lets a shared cache store the answer to an authorized request",
                        GET + "|Authorization: Basic YTpi", OK + "|Cache-Control: public, max-age=60", null},
                {"3.5, 5.2.2.10: so does s-maxage", GET + "|Authorization: Basic YTpi",
                        OK + "|Cache-Control: s-maxage=60", null},
                {"3.5, 5.2.2.2: so does must-revalidate", GET + "|Authorization: Basic YTpi",
                        OK + "|Cache-Control: must-revalidate, max-age=60", null},
                {"5.2.2.9: public=1 is not the public directive (it takes no argument)",
                        GET + "|Authorization: Basic YTpi", OK + "|Cache-Control: public=1, max-age=60", "Authorization"},
                {"this cache: Set-Cookie is never stored unless public", GET,
                        OK + "|Cache-Control: max-age=60|Set-Cookie: s=1", "Set-Cookie"},
                {"this cache, with RFC 9111 section 5.2.2.9: Set-Cookie with public is stored", GET,
                        OK + "|Cache-Control: public, max-age=60|Set-Cookie: s=1", null},
                {"4.1: Vary: * always fails to match, so it is not stored", GET,
                        OK + "|Cache-Control: max-age=60|Vary: *", "Vary: *"},
                {"4.1: a \"*\" member among names is Vary: *", GET,
                        OK + "|Cache-Control: max-age=60|Vary: Accept, *", "Vary: *"},
                {"3, 4.2.2: without explicit freshness nothing is stored (no heuristics here)", GET,
                        OK + "|ETag: \"x\"|Last-Modified: " + date(-3600), "no explicit freshness"},
                {"3: public without freshness would need heuristics: not stored", GET, OK + "|Cache-Control: public",
                        "no explicit freshness"},
                {"3, 5.3: an Expires header is explicit freshness", GET, OK + "|Expires: " + date(3600), null},
                {"3, 5.2.2.10: s-maxage alone is explicit freshness", GET, OK + "|Cache-Control: s-maxage=5", null},
                {"3, 5.3: an invalid Expires (\"0\") is explicit freshness already past: stored, stale at once", GET,
                        OK + "|Expires: 0|ETag: \"v1\"", null},
                {"5.2.2.3: must-understand with a status the cache implements overrides no-store", GET,
                        OK + "|Cache-Control: must-understand, no-store, max-age=60", null},
                {"5.2.2.3: must-understand with a status the cache does not implement is not stored", GET,
                        "HTTP/1.1 418 Teapot|Cache-Control: must-understand, no-store, max-age=60", "status 418"},
                {"4.2.1: public and private conflict: the most restrictive (private) is honoured", GET,
                        OK + "|Cache-Control: public, private, max-age=60", "private"},
                {"4.2.1: public and no-store conflict: no-store", GET, OK + "|Cache-Control: public, no-store, s-maxage=9",
                        "no-store"},
                {"4.4 (safety unknown): a header that overrides the method is not a GET for the cache",
                        GET + "|X-HTTP-Method-Override: DELETE", OK + "|Cache-Control: max-age=60", "method"},
                {"4.4 (safety unknown): nor is one that overrides the path (X-Original-URL)",
                        GET + "|X-Original-URL: /admin", OK + "|Cache-Control: max-age=60", "method"},
                {"5.2: an unterminated quoted string hides what follows: not stored", GET,
                        OK + "|Cache-Control: max-age=60, foo=\"bar, no-store", "malformed"},
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("storable")
    void whetherAResponseMayBeStored(String rule, String request, String response, String whyNot) {
        String why = CachePolicy.whyNotStorable(cacheRequest(request), facts(response));
        if (whyNot == null) {
            assertNull(why, rule);
        } else {
            assertNotNull(why, rule);
            assertTrue(why.contains(whyNot), rule + ": " + why);
        }
    }

    // ---- section 4.2.1: freshness lifetime (response received at T0 + receivedAt) ----

    static Object[][] lifetimes() {
        return cite("RFC 9111 section ", new Object[][]{
                {"4.2.1: a shared cache uses s-maxage over max-age", "|Cache-Control: max-age=60, s-maxage=10", 0, 10},
                {"4.2.1: max-age", "|Cache-Control: max-age=60", 0, 60},
                {"4.2.1, 5.3: with max-age present Expires is ignored",
                        "|Cache-Control: max-age=60|Expires: " + date(3600), 0, 60},
                {"4.2.1, 5.3: with s-maxage present Expires is ignored",
                        "|Cache-Control: s-maxage=5|Expires: " + date(3600), 0, 5},
                {"4.2.1: Expires minus Date", "|Expires: " + date(3600), 0, 3600},
                {"5.3: an Expires before Date: already stale", "|Expires: " + date(-10), 0, 0},
                {"5.3: an invalid Expires, especially \"0\", is in the past", "|Expires: 0", 0, 0},
                {"5.3, 4.2: an Expires in a zone other than GMT is invalid",
                        "|Expires: " + date(3600).replace("GMT", "UTC"), 0, 0},
                {"4.2: dates are matched case-insensitively", "|Expires: " + date(3600).toLowerCase(), 0, 3600},
                {"4.2.1: two Expires lines: stale", "|Expires: " + date(3600) + "|Expires: " + date(3600), 0, 0},
                {"4.2.1: two max-age directives with different values: stale", "|Cache-Control: max-age=60, max-age=30",
                        0, 0},
                {"4.2.1: a repeated max-age with the same value is the first occurrence",
                        "|Cache-Control: max-age=60|Cache-Control: max-age=60", 0, 60},
                {"4.2.1: max-age with non-integer content: stale", "|Cache-Control: max-age=6o", 0, 0},
                {"4.2.1: a negative max-age is not delta-seconds (1.2.2): stale", "|Cache-Control: max-age=-1", 0, 0},
                {"4.2.1: max-age without a value: stale", "|Cache-Control: max-age", 0, 0},
                {"5.2: whitespace around = is not the directive's syntax: stale", "|Cache-Control: max-age = 60", 0,
                        0},
                {"5.2: the quoted-string form of an argument is accepted", "|Cache-Control: max-age=\"60\"", 0, 60},
                {"1.2.2: delta-seconds past what the cache represents is 2^31",
                        "|Cache-Control: max-age=99999999999999999999999", 0, 2_147_483_648L},
                {"1.2.2: leading zeros are digits", "|Cache-Control: max-age=0000000000000000000000060", 0, 60},
                {"4.2.2: no explicit expiration time and no heuristics: 0", "|Last-Modified: " + date(-86_400), 0, 0},
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lifetimes")
    void freshnessLifetime(String rule, String fields, int receivedAt, long expected) {
        assertEquals(expected, CachePolicy.freshnessLifetime(facts(OK + fields), T0 + receivedAt), rule);
    }

    @ParameterizedTest(name = "RFC 9111 section 4.2.1 with RFC 9110 section 6.6.1: Expires without Date counts from receipt")
    @MethodSource("io.jcluster.agent.http.cache.CachePolicyRfcTest#noDate")
    void expiresWithoutDateCountsFromTheTimeOfReceipt(long receivedAt, long expected) {
        ResponseFacts f = facts("HTTP/1.1 200 OK|Expires: " + date(3600));
        assertEquals(expected, CachePolicy.freshnessLifetime(f, T0 + receivedAt));
    }

    static Object[][] noDate() {
        return new Object[][]{{0, 3600}, {600, 3000}, {4000, 0}};
    }

    // ---- section 4.2.3: age (request sent at T0 + sent, response received at T0 + received, now = T0 + now) ----

    static Object[][] ages() {
        return cite("RFC 9111 section ", new Object[][]{
                {"4.2.3: resident time alone", "|Date: " + date(0), 0, 0, 10, 10},
                {"4.2.3, 5.1: the Age header adds to it", "|Date: " + date(0) + "|Age: 30", 0, 0, 10, 40},
                {"4.2.3: corrected_age_value adds the response delay", "|Date: " + date(2) + "|Age: 5", 0, 2, 2, 7},
                {"4.2.3: apparent_age when the Date is older than the Age says", "|Date: " + date(-100) + "|Age: 5", 0,
                        0, 0, 100},
                {"4.2.3: a Date in the future gives apparent_age 0", "|Date: " + date(500), 0, 0, 20, 20},
                {"5.1: an Age that is not a non-negative integer is ignored", "|Date: " + date(0) + "|Age: abc", 0, 0,
                        3, 3},
                {"5.1: a list-based Age uses its first member", "|Date: " + date(0) + "|Age: 10, 20", 0, 0, 0, 10},
                {"5.1: a negative Age is ignored", "|Date: " + date(0) + "|Age: -50", 0, 0, 0, 0},
                {"1.2.2: an Age past 2^31 is 2^31", "|Date: " + date(0) + "|Age: 123456789012345678901234567890", 0, 0,
                        0, 2_147_483_648L},
                {"4.2.3 with RFC 9110 section 6.6.1: no Date: apparent_age 0", "", 0, 1, 5, 5},
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ages")
    void currentAge(String rule, String fields, int sent, int received, int now, long expected) {
        ResponseFacts f = facts("HTTP/1.1 200 OK" + fields);
        assertEquals(expected, CachePolicy.currentAge(f, T0 + sent, T0 + received, T0 + now), rule);
    }

    // ---- sections 4, 4.2, 4.2.4, 5.2: may a stored response answer this request at T0 + now? ----

    static Object[][] reuses() {
        return cite("RFC 9111 section ", new Object[][]{
                {"4.2: fresh while freshness_lifetime > current_age", GET, "max-age=60", 30, Reuse.FRESH},
                {"4.2: at age = lifetime it is stale (no stale permission: validate)", GET, "max-age=60", 60,
                        Reuse.VALIDATE},
                {"4.2: one second before", GET, "max-age=60", 59, Reuse.FRESH},
                {"4, 5.2.2.4: no-cache: validate even when fresh", GET, "no-cache, max-age=60", 1, Reuse.VALIDATE},
                {"5.2.2.4: qualified no-cache is read as unqualified (the section's note)", GET,
                        "no-cache=\"Set-Cookie\", max-age=60", 1, Reuse.VALIDATE},
                {"5.2.1.4: a request's no-cache: validate", GET + "|Cache-Control: no-cache", "max-age=60", 1,
                        Reuse.VALIDATE},
                {"5.2.1.1: a request's max-age=0: validate", GET + "|Cache-Control: max-age=0", "max-age=60", 1,
                        Reuse.VALIDATE},
                {"5.2.1.1: a request's max-age below the age: validate", GET + "|Cache-Control: max-age=10",
                        "max-age=60", 30, Reuse.VALIDATE},
                {"5.2.1.1: a request's max-age above the age: fresh", GET + "|Cache-Control: max-age=40", "max-age=60",
                        30, Reuse.FRESH},
                {"5.2.1.1, 4.2.1: a request's max-age given twice differently is the most restrictive (0)",
                        GET + "|Cache-Control: max-age=40, max-age=50", "max-age=60", 1, Reuse.VALIDATE},
                {"5.2.1.3: min-fresh met", GET + "|Cache-Control: min-fresh=20", "max-age=60", 30, Reuse.FRESH},
                {"5.2.1.3: min-fresh not met", GET + "|Cache-Control: min-fresh=40", "max-age=60", 30, Reuse.VALIDATE},
                {"5.2.1.2: max-stale without a value accepts any staleness", GET + "|Cache-Control: max-stale",
                        "max-age=60", 1000, Reuse.FRESH},
                {"5.2.1.2: max-stale=30 accepts 20 seconds of staleness", GET + "|Cache-Control: max-stale=30",
                        "max-age=60", 80, Reuse.FRESH},
                {"5.2.1.2: max-stale=30 refuses 40", GET + "|Cache-Control: max-stale=30", "max-age=60", 100,
                        Reuse.VALIDATE},
                {"4.2.4, 5.2.2.2: must-revalidate forbids serving stale, whatever max-stale says",
                        GET + "|Cache-Control: max-stale", "max-age=60, must-revalidate", 100, Reuse.VALIDATE},
                {"4.2.4, 5.2.2.8: so does proxy-revalidate in a shared cache", GET + "|Cache-Control: max-stale",
                        "max-age=60, proxy-revalidate", 100, Reuse.VALIDATE},
                {"4.2.4, 5.2.2.10: s-maxage implies proxy-revalidate: no stale-while-revalidate", GET,
                        "s-maxage=60, stale-while-revalidate=600", 100, Reuse.VALIDATE},
                {"RFC 5861 section 3.1: max-age=600, stale-while-revalidate=30, 10 s stale: served stale", GET,
                        "max-age=600, stale-while-revalidate=30", 610, Reuse.STALE_WHILE_REVALIDATE},
                {"RFC 5861 section 3: up to the indicated number of seconds (30 s stale)", GET,
                        "max-age=600, stale-while-revalidate=30", 630, Reuse.STALE_WHILE_REVALIDATE},
                {"RFC 5861 section 3.1: after the window it is truly stale", GET, "max-age=600, stale-while-revalidate=30",
                        631, Reuse.VALIDATE},
                {"RFC 5861 section 3 with RFC 9111 section 4.2.4: must-revalidate wins over stale-while-revalidate", GET,
                        "max-age=60, stale-while-revalidate=600, must-revalidate", 100, Reuse.VALIDATE},
                {"RFC 7234 section 5.4: Pragma: no-cache without Cache-Control: validate", GET + "|Pragma: no-cache",
                        "max-age=60", 1, Reuse.VALIDATE},
                {"RFC 7234 section 5.4: with a Cache-Control in the request, Pragma is ignored",
                        GET + "|Pragma: no-cache|Cache-Control: max-stale=0", "max-age=60", 1, Reuse.FRESH},
                {"3.5: a request with Authorization is not answered by a response without shared permission",
                        GET + "|Authorization: Bearer x", "max-age=60", 1, Reuse.VALIDATE},
                {"3.5, 5.2.2.9: public lets it answer a request with Authorization", GET + "|Authorization: Bearer x",
                        "public, max-age=60", 1, Reuse.FRESH},
                {"4.2.1: an invalid max-age makes the stored response stale at once", GET, "max-age=soon", 0,
                        Reuse.VALIDATE},
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reuses")
    void reuseOfAStoredResponse(String rule, String request, String cacheControl, int now, Reuse expected) {
        StoredResponse stored = stored(OK + "|Cache-Control: " + cacheControl, request);
        assertEquals(expected, CachePolicy.reuse(cacheRequest(request), stored, T0 + now), rule);
    }

    @ParameterizedTest(name = "RFC 9111 section 4.2.3 in 4.2: an Age of {0} with max-age=60, {1} s later: {2}")
    @MethodSource("io.jcluster.agent.http.cache.CachePolicyRfcTest#agedReuses")
    void theAgeHeaderCountsTowardsFreshness(int age, int now, Reuse expected) {
        StoredResponse stored = stored(OK + "|Cache-Control: max-age=60|Age: " + age, GET);
        assertEquals(expected, CachePolicy.reuse(cacheRequest(GET), stored, T0 + now));
    }

    static Object[][] agedReuses() {
        return new Object[][]{{50, 5, Reuse.FRESH}, {50, 10, Reuse.VALIDATE}, {0, 59, Reuse.FRESH}};
    }

    // ---- RFC 5861 section 4: may a stored response answer instead of an error at T0 + now? ----

    static Object[][] staleOnError() {
        return cite("RFC 5861 section ", new Object[][]{
                {"4.1: max-age=600, stale-if-error=1200, 900 s later", GET, "max-age=600, stale-if-error=1200", 900,
                        true},
                {"4.1: stale for 1200 s exactly", GET, "max-age=600, stale-if-error=1200", 1800, true},
                {"4.1: after 1800 s the error is written through", GET, "max-age=600, stale-if-error=1200", 1801,
                        false},
                {"4: without stale-if-error an error is an error", GET, "max-age=600", 900, false},
                {"4: as a request directive it applies to that request", GET + "|Cache-Control: stale-if-error=400",
                        "max-age=600", 900, true},
                {"4 with RFC 9111 section 5.2.2.2: must-revalidate: never stale, even on error (504)", GET,
                        "max-age=600, stale-if-error=1200, must-revalidate", 900, false},
                {"4 with RFC 9111 section 5.2.2.10: s-maxage implies proxy-revalidate", GET,
                        "s-maxage=600, stale-if-error=1200", 900, false},
                {"4 with RFC 9111 section 5.2.2.4: no-cache forbids it", GET, "no-cache, max-age=600, stale-if-error=1200",
                        900, false},
                {"4: an invalid stale-if-error grants nothing", GET, "max-age=600, stale-if-error=x", 900, false},
                {"4 with RFC 9111 section 4.2.4: a client's max-stale also permits a stale answer",
                        GET + "|Cache-Control: max-stale=500", "max-age=600", 900, true},
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("staleOnError")
    void staleIfError(String rule, String request, String cacheControl, int now, boolean expected) {
        StoredResponse stored = stored(OK + "|Cache-Control: " + cacheControl, request);
        assertEquals(expected, CachePolicy.staleIfError(cacheRequest(request), stored, T0 + now), rule);
    }

    // ---- section 4.1: Vary ----

    static Object[][] varies() {
        return cite("RFC 9111 section ", new Object[][]{
                {"4.1: same value of the nominated field", "Accept-Encoding", "|Accept-Encoding: gzip",
                        "|Accept-Encoding: gzip", true},
                {"4.1: a different value does not match", "Accept-Encoding", "|Accept-Encoding: gzip",
                        "|Accept-Encoding: br", false},
                {"4.1: adding or removing whitespace where the syntax allows", "Accept-Encoding",
                        "|Accept-Encoding: gzip, br", "|Accept-Encoding: gzip,br", true},
                {"4.1: combining multiple field lines", "Accept-Encoding", "|Accept-Encoding: gzip, br",
                        "|Accept-Encoding: gzip|Accept-Encoding: br", true},
                {"4.1: the order of members is kept (no reordering assumed)", "Accept-Encoding",
                        "|Accept-Encoding: gzip, br", "|Accept-Encoding: br, gzip", false},
                {"4.1: absent in both matches", "Accept-Encoding", "", "", true},
                {"4.1: absent in one only does not", "Accept-Encoding", "", "|Accept-Encoding: gzip", false},
                {"4.1: present but empty is not absent", "Accept-Encoding", "|Accept-Encoding:", "", false},
                {"4.1 with RFC 9110 section 5.1: field names are case-insensitive", "ACCEPT-encoding",
                        "|accept-ENCODING: gzip", "|Accept-Encoding: gzip", true},
                {"4.1: every nominated field must match", "Accept-Encoding, Accept-Language",
                        "|Accept-Encoding: gzip|Accept-Language: en", "|Accept-Encoding: gzip|Accept-Language: de",
                        false},
                {"4.1: several Vary lines nominate all their fields", "Accept-Encoding|Vary: Accept-Language",
                        "|Accept-Encoding: gzip|Accept-Language: en", "|Accept-Encoding: gzip|Accept-Language: de",
                        false},
                {"4.1: whitespace inside a quoted string is content", "X-Q", "|X-Q: \"a, b\"", "|X-Q: \"a,b\"", false},
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("varies")
    void varySelectsAVariant(String rule, String vary, String original, String presented, boolean expected) {
        StoredResponse stored = stored(OK + "|Cache-Control: max-age=60|Vary: " + vary, GET + original);
        assertEquals(expected, CachePolicy.varyMatches(cacheRequest(GET + presented), stored), rule);
    }

    // ---- section 4.4: invalidation ----

    static Object[][] invalidations() {
        return cite("RFC 9111 section ", new Object[][]{
                {"4.4: POST answered 200 invalidates its target", "POST", 200, true},
                {"4.4: a 3xx is a non-error status too", "POST", 303, true},
                {"4.4: PUT answered 204", "PUT", 204, true},
                {"4.4: DELETE answered 200", "DELETE", 200, true},
                {"4.4: PATCH answered 200", "PATCH", 200, true},
                {"4.4: a method whose safety is unknown", "PURGE", 200, true},
                {"4.4: an error status does not invalidate (4xx)", "POST", 404, false},
                {"4.4: an error status does not invalidate (5xx)", "DELETE", 500, false},
                {"4.4 with RFC 9110 section 9.2.1: GET is safe", "GET", 200, false},
                {"4.4 with RFC 9110 section 9.2.1: OPTIONS is safe", "OPTIONS", 200, false},
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidations")
    void unsafeRequestsInvalidate(String rule, String method, int status, boolean expected) {
        CacheRequest request = cacheRequest(method + " /a HTTP/1.1|Host: a.example|Content-Length: 0");
        assertEquals(expected, CachePolicy.invalidates(request, status), rule);
    }

    static Object[][] locations() {
        return cite("RFC 9111 section ", new Object[][]{
                {"4.4: an absolute path in Location", "/b?x=1", "http://a.example/b?x=1"},
                {"4.4: an absolute URI of the same origin", "http://A.example/c", "http://a.example/c"},
                {"4.4: a relative reference, resolved against the target", "d", "http://a.example/dir/d"},
                {"4.4: a network-path reference of the same origin", "//a.example/e", "http://a.example/e"},
                {"4.4: another host is never invalidated (denial of service)", "http://b.example/a", null},
                {"4.4: another scheme is another origin", "https://a.example/a", null},
                {"4.4: another port is another origin", "http://a.example:8080/a", null},
                {"4.4: a network-path reference to another host", "//b.example/a", null},
                {"4.4: dot segments are not guessed at", "../x", null},
                {"4.4: a fragment is not part of the key", "/f#top", "http://a.example/f"},
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("locations")
    void locationAndContentLocationOfTheSameOrigin(String rule, String location, String expectedKey) {
        CacheRequest request = cacheRequest("POST /dir/page HTTP/1.1|Host: a.example|Content-Length: 0");
        assertEquals(expectedKey, CachePolicy.invalidatedKey(request, location), rule);
    }

    /** Prefixes each row's rule with the document it comes from, unless it names another itself. */
    private static Object[][] cite(String document, Object[][] rows) {
        for (Object[] row : rows) {
            String rule = (String) row[0];
            row[0] = rule.startsWith("RFC ") || rule.startsWith("this cache") ? rule : document + rule;
        }
        return rows;
    }

    /** A stored response to {@code request}, requested and received at T0. */
    static StoredResponse stored(String response, String request) {
        ResponseFacts f = facts(response);
        CacheRequest original = cacheRequest(request);
        return new StoredResponse(original.key(), f, new byte[0], null, T0, T0, original.varyValues(f.vary()));
    }
}
