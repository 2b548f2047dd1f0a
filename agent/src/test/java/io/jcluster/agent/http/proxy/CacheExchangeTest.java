package io.jcluster.agent.http.proxy;

import io.jcluster.agent.balancer.Backend;
import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.TrustedProxies;
import io.jcluster.agent.http.cache.CacheStats;
import io.jcluster.agent.http.cache.ResponseCache;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.jcluster.agent.http.proxy.FakeUpstream.exchange;
import static io.jcluster.agent.http.proxy.FakeUpstream.refused;
import static io.jcluster.agent.http.proxy.FakeUpstream.settings;
import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The response cache in the exchange ({@code cache=}): client connections and workers are EmbeddedChannels, the
 * cache is a real {@link ResponseCache}. Each path of the flow: hit, miss and store, HEAD, a chunked fill, an object
 * too large, revalidation by 304, stale-while-revalidate, stale-if-error (5xx, and no worker at all), coalesced
 * waiters and their bound, invalidation by unsafe methods, and what is never served from the cache.
 */
class CacheExchangeTest {

    private static final String GET_A = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    private static final String FRESH = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\n\r\nhello";

    private final FakeUpstream upstream = new FakeUpstream(2);
    private final Backend first = upstream.backends[0];
    private final LoopSharedPool pool = new LoopSharedPool();
    private ResponseCache cache = new ResponseCache(1 << 20, 64 << 10);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = channels.size() - 1; i >= 0; i--) {
            channels.get(i).finishAndReleaseAll(); // waiters before their filler
        }
        cache.close();
    }

    private EmbeddedChannel worker() {
        EmbeddedChannel worker = new EmbeddedChannel(new BackendResponseHandler(first, pool));
        pool.offer(first, worker);
        channels.add(worker);
        return worker;
    }

    private EmbeddedChannel client() {
        return client(settings());
    }

    private EmbeddedChannel client(HttpSettings base) {
        EmbeddedChannel client = upstream.client(base.withCache(cache, true), pool);
        channels.add(client);
        return client;
    }

    /** One request through {@code worker}, answered with {@code response}; what the client got. */
    private static String exchangeVia(EmbeddedChannel client, EmbeddedChannel worker, String request,
                                      String response) {
        client.writeInbound(ascii(request));
        String sent = drain(worker);
        assertFalse(sent.isEmpty(), "the request went to the worker");
        worker.writeInbound(ascii(response));
        return drain(client);
    }

    private CacheStats stats() {
        return cache.stats();
    }

    @Test
    void aMissIsStoredAndTheNextRequestIsAHitThatNeverReachesAWorker() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        String miss = exchangeVia(client, worker, GET_A, FRESH);
        assertTrue(miss.startsWith("HTTP/1.1 200 OK\r\n") && miss.contains("x-cache: MISS\r\n")
                && miss.endsWith("\r\n\r\nhello"), miss);

        client.writeInbound(ascii(GET_A));
        assertEquals("", drain(worker), "a hit never touches a worker");
        String hit = drain(client);
        assertTrue(hit.startsWith("HTTP/1.1 200 OK\r\n"), hit);
        assertTrue(hit.contains("\r\nCache-Control: max-age=60\r\n"), hit);
        assertTrue(hit.contains("\r\nage: 0\r\n") && hit.contains("\r\nx-cache: HIT\r\n")
                && hit.contains("\r\ncontent-length: 5\r\n"), hit);
        assertEquals(1, count(hit, "ength:"), "its own Content-Length only: " + hit);
        assertTrue(hit.endsWith("\r\n\r\nhello"), hit);
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);
        assertTrue(client.isOpen());
        assertEquals(1, stats().hits());
        assertEquals(1, stats().misses());
        assertEquals(1, stats().entries());
    }

    /** Settings whose trusted-proxies list holds the EmbeddedChannel's peer (loopback, as HttpProxyHandler reads it). */
    private static HttpSettings trustingLoopback() throws Exception {
        TrustedProxies trusted = OptionParser.parse("mode=http,trusted-proxies=127.0.0.1").http().trustedProxies();
        HttpSettings base = settings();
        return new HttpSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(5), false, base.stickiness(), null, trusted, false);
    }

    @Test
    void aTrustedProxysForwardingHeadersAreInTheKeyAndAClientsAreNot() throws Exception {
        EmbeddedChannel worker = worker();
        EmbeddedChannel proxy = client(trustingLoopback());
        // a TLS-terminating proxy in front: the app redirects plain http to https, and renders https pages
        String redirect = "HTTP/1.1 301 Moved Permanently\r\nLocation: https://x/a\r\nCache-Control: max-age=60\r\n"
                + "Content-Length: 0\r\n\r\n";
        String overHttp = exchangeVia(proxy, worker, "GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: http\r\n\r\n",
                redirect);
        assertTrue(overHttp.startsWith("HTTP/1.1 301") && overHttp.contains("x-cache: MISS"), overHttp);
        String overHttps = exchangeVia(proxy, worker,
                "GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n\r\n", FRESH);
        assertTrue(overHttps.startsWith("HTTP/1.1 200") && overHttps.contains("x-cache: MISS"),
                "the https rendering is not the stored redirect: " + overHttps);
        proxy.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\nx-forwarded-proto: http\r\n\r\n"));
        assertEquals("", drain(worker));
        assertTrue(drain(proxy).startsWith("HTTP/1.1 301"), "each rendering is a hit of its own");
        for (String header : new String[]{"X-Forwarded-Host: y", "X-Forwarded-Port: 8443", "Forwarded: proto=http",
                "X-Forwarded-Prefix: /app"}) {
            String other = exchangeVia(proxy, worker, "GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n"
                    + header + "\r\n\r\n", FRESH);
            assertTrue(other.contains("x-cache: MISS"), header + " is in the key: " + other);
        }
        proxy.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n\r\n"));
        assertEquals("", drain(worker));
        assertTrue(drain(proxy).contains("x-cache: HIT"));

        // from a client they are dropped (the app sees jcluster's own, of this listener): not in the key
        EmbeddedChannel client = client();
        client.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n\r\n"));
        String sent = drain(worker);
        assertTrue(sent.contains("x-forwarded-proto: http\r\n") && !sent.contains("https"),
                "a client's header is dropped, the request is plain http's key: " + sent);
        worker.writeInbound(ascii(FRESH));
        assertTrue(drain(client).contains("x-cache: MISS"));
        client.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: http\r\n\r\n"));
        assertEquals("", drain(worker));
        assertTrue(drain(client).contains("x-cache: HIT"), "the same key whatever the client claims");
    }

    @Test
    void pipelinedHitsAreAnsweredInOrderAndTheMissBetweenThemWaitsItsTurn() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, FRESH);
        client.writeInbound(ascii(GET_A + GET_A + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n" + GET_A));
        assertTrue(drain(worker).startsWith("GET /b "), "the miss goes out after the two hits");
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"));
        String all = drain(client);
        assertEquals(3, count(all, "x-cache: HIT"), all);
        assertTrue(all.indexOf("\r\n\r\nb") > all.indexOf("hello") && all.endsWith("hello"), all);
    }

    @Test
    void aHeadRequestIsAnsweredFromAStoredGetWithItsLengthAndNoBody() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, FRESH);
        client.writeInbound(ascii("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n"));
        String head = drain(client);
        assertTrue(head.contains("x-cache: HIT") && head.contains("content-length: 5\r\n"), head);
        assertTrue(head.endsWith("\r\n\r\n"), "no body: " + head);
        assertEquals("", drain(worker));
    }

    @Test
    void aHeadMissIsNotStored() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\n\r\n");
        assertEquals(0, stats().entries(), "a HEAD response has no body to answer a GET with");
    }

    @Test
    void aChunkedBodyIsStoredWithoutItsFramingAndServedWithAContentLength() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        String chunked = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nhel\r\n2;ext=1\r\nlo\r\n0\r\nTrailer-Field: t\r\n\r\n";
        client.writeInbound(ascii(GET_A));
        drain(worker);
        worker.writeInbound(ascii(chunked.substring(0, 90)));
        worker.writeInbound(ascii(chunked.substring(90)));
        String miss = drain(client);
        assertTrue(miss.contains("Transfer-Encoding: chunked") && miss.endsWith("0\r\nTrailer-Field: t\r\n\r\n"),
                "passed on as it came: " + miss);

        client.writeInbound(ascii(GET_A));
        String hit = drain(client);
        assertTrue(hit.contains("content-length: 5\r\n") && !hit.toLowerCase().contains("transfer-encoding"), hit);
        assertTrue(hit.endsWith("\r\n\r\nhello"), hit);
    }

    @Test
    void aBodyLargerThanCacheMaxObjectIsPassedOnButNotStored() {
        cache = new ResponseCache(1 << 20, 4);
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        assertTrue(exchangeVia(client, worker, GET_A, FRESH).endsWith("hello"));
        String chunked = "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n";
        assertTrue(exchangeVia(client, worker, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n", chunked)
                .endsWith("2\r\nlo\r\n0\r\n\r\n"));
        assertEquals(0, stats().entries());
        client.writeInbound(ascii(GET_A));
        assertTrue(drain(worker).startsWith("GET /a "), "not stored: asked again");
    }

    @Test
    void aStaleEntryIsRevalidatedAndA304AnswersFromItWithTheRefreshedHead() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, "HTTP/1.1 200 OK\r\nCache-Control: max-age=1\r\nAge: 5\r\nETag: \"v1\"\r\n"
                + "X-Version: 1\r\nContent-Length: 5\r\n\r\nhello");
        client.writeInbound(ascii(GET_A));
        String conditional = drain(worker);
        assertTrue(conditional.contains("\r\nif-none-match: \"v1\"\r\n"), conditional);
        worker.writeInbound(ascii("HTTP/1.1 304 Not Modified\r\nCache-Control: max-age=60\r\nETag: \"v1\"\r\n"
                + "X-Version: 2\r\n\r\n"));
        String revalidated = drain(client);
        assertTrue(revalidated.startsWith("HTTP/1.1 200 OK\r\n") && revalidated.contains("x-cache: REVALIDATED"),
                revalidated);
        assertTrue(revalidated.contains("X-Version: 2\r\n") && !revalidated.contains("X-Version: 1"), revalidated);
        assertTrue(revalidated.contains("content-length: 5\r\n") && revalidated.endsWith("hello"), revalidated);
        assertEquals(1, pool.idle(first), "the worker's connection is in step and pooled again");

        client.writeInbound(ascii(GET_A));
        String hit = drain(client);
        assertTrue(hit.contains("x-cache: HIT") && hit.contains("max-age=60"), "fresh again: " + hit);
        assertEquals("", drain(worker));
        assertEquals(1, stats().revalidated());
    }

    @Test
    void staleWhileRevalidateAnswersAtOnceAndRevalidatesBehind() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, "HTTP/1.1 200 OK\r\nCache-Control: max-age=1, stale-while-revalidate=600"
                + "\r\nAge: 5\r\nETag: \"v1\"\r\nContent-Length: 5\r\n\r\nhello");
        client.writeInbound(ascii(GET_A));
        String stale = drain(client);
        assertTrue(stale.contains("x-cache: STALE") && stale.endsWith("hello"), stale);
        assertTrue(drain(worker).contains("if-none-match: \"v1\""), "revalidated behind the answer");
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nETag: \"v2\"\r\n"
                + "Content-Length: 5\r\n\r\nfresh"));
        assertEquals("", drain(client), "the client had its answer");
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);

        client.writeInbound(ascii(GET_A));
        String hit = drain(client);
        assertTrue(hit.contains("x-cache: HIT") && hit.endsWith("fresh"), "the new response was stored: " + hit);
    }

    @Test
    void aFailedRevalidationBehindAStaleAnswerSendsTheClientNothingMore() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, "HTTP/1.1 200 OK\r\nCache-Control: max-age=1, stale-while-revalidate=600"
                + "\r\nAge: 5\r\nETag: \"v1\"\r\nContent-Length: 5\r\n\r\nhello");
        client.writeInbound(ascii(GET_A));
        assertTrue(drain(client).contains("x-cache: STALE"));
        drain(worker);
        upstream.connects.add(refused());
        upstream.connects.add(refused());
        worker.close(); // before answering: a GET is sent again elsewhere, and every connect is refused
        client.runPendingTasks();
        assertEquals("", drain(client), "no error after the stale answer");
        assertTrue(client.isOpen());
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);
    }

    @Test
    void staleIfErrorAnswersA5xxWithTheStaleResponse() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, "HTTP/1.1 200 OK\r\nCache-Control: max-age=1, stale-if-error=600\r\n"
                + "Age: 5\r\nContent-Length: 5\r\n\r\nhello");
        String answer = exchangeVia(client, worker, GET_A,
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown");
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n") && answer.contains("x-cache: STALE")
                && answer.endsWith("hello"), answer);
        assertEquals(1, pool.idle(first), "the 5xx body was read to its end: the connection is reused");
    }

    @Test
    void staleIfErrorAnswersWhenNoWorkerCanBeReached() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, "HTTP/1.1 200 OK\r\nCache-Control: max-age=1, stale-if-error=600\r\n"
                + "Age: 5\r\nContent-Length: 5\r\n\r\nhello");
        pool.take(first).close(); // every worker is gone: connects are refused
        upstream.connects.add(refused());
        upstream.connects.add(refused());
        client.writeInbound(ascii(GET_A));
        client.runPendingTasks();
        String answer = drain(client);
        assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n") && answer.contains("x-cache: STALE")
                && answer.endsWith("hello"), answer);
        assertTrue(client.isOpen());
        assertEquals(Exchange.State.AWAIT_HEAD, exchange(client).state);
    }

    @Test
    void withoutStaleIfErrorNoWorkerIsAnError() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, "HTTP/1.1 200 OK\r\nCache-Control: max-age=1\r\nAge: 5\r\n"
                + "Content-Length: 5\r\n\r\nhello");
        pool.take(first).close();
        upstream.connects.add(refused());
        upstream.connects.add(refused());
        client.writeInbound(ascii(GET_A));
        client.runPendingTasks();
        assertTrue(drain(client).startsWith("HTTP/1.1 502 "));
    }

    @Test
    void concurrentMissesOfOneKeyMakeOneRequestAndTheOthersAreAnsweredFromIt() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel filler = client();
        List<EmbeddedChannel> waiters = new ArrayList<>();
        filler.writeInbound(ascii(GET_A));
        for (int i = 0; i < 5; i++) {
            EmbeddedChannel waiter = client(); // a connect would fail the test (FakeUpstream has none to give)
            waiter.writeInbound(ascii(GET_A));
            assertEquals(Exchange.State.CONNECTING, exchange(waiter).state);
            waiters.add(waiter);
        }
        assertTrue(drain(worker).startsWith("GET /a "));
        worker.writeInbound(ascii(FRESH));
        assertTrue(drain(filler).contains("x-cache: MISS"));
        for (EmbeddedChannel waiter : waiters) {
            waiter.runPendingTasks();
            String answer = drain(waiter);
            assertTrue(answer.contains("x-cache: HIT") && answer.endsWith("hello"), answer);
            assertEquals(Exchange.State.AWAIT_HEAD, exchange(waiter).state);
        }
        assertTrue(upstream.connectedTo.isEmpty());
        assertEquals(5, stats().coalesced());
    }

    @Test
    void waitersOfAnUnstorableResponseAskAWorkerThemselves() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel filler = client();
        filler.writeInbound(ascii(GET_A));
        EmbeddedChannel waiter = client();
        waiter.writeInbound(ascii(GET_A));
        drain(worker);
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: 2\r\n\r\nno"));
        assertTrue(drain(filler).endsWith("no"));
        waiter.runPendingTasks();
        assertTrue(drain(worker).startsWith("GET /a "), "the waiter went to a worker itself (the pooled one)");
        worker.writeInbound(ascii("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: 2\r\n\r\nno"));
        String answer = drain(waiter);
        assertTrue(answer.contains("x-cache: MISS") && answer.endsWith("no"), answer);
    }

    @Test
    void theWaitersOfOneFillAreBounded() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel filler = client();
        filler.writeInbound(ascii(GET_A));
        for (int i = 0; i < ResponseCache.MAX_WAITERS; i++) {
            EmbeddedChannel waiter = client();
            waiter.writeInbound(ascii(GET_A));
        }
        EmbeddedChannel past = client();
        EmbeddedChannel own = FakeUpstream.fresh();
        channels.add(own);
        upstream.connects.add(own);
        past.writeInbound(ascii(GET_A));
        past.runPendingTasks();
        assertTrue(drain(own).startsWith("GET /a "), "past the bound a request asks a worker itself");
        assertEquals(1, upstream.connectedTo.size());
        drain(worker);
        worker.writeInbound(ascii(FRESH));
        for (EmbeddedChannel channel : channels) {
            channel.runPendingTasks();
        }
        assertEquals(ResponseCache.MAX_WAITERS, stats().coalesced(), "the waiters within the bound were answered");
    }

    @Test
    void aWaitIsBoundedByResponseTimeout() throws InterruptedException {
        EmbeddedChannel worker = worker();
        HttpSettings shortWait = settings(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMillis(50),
                Duration.ofSeconds(60), "off");
        EmbeddedChannel filler = client(shortWait);
        filler.writeInbound(ascii(GET_A));
        EmbeddedChannel waiter = client(shortWait);
        waiter.writeInbound(ascii(GET_A));
        EmbeddedChannel own = FakeUpstream.fresh();
        channels.add(own);
        upstream.connects.add(own);
        Thread.sleep(150);
        waiter.runPendingTasks();
        waiter.runPendingTasks(); // the connect's completion
        assertTrue(drain(own).startsWith("GET /a "), "after response-timeout the waiter asks a worker itself");
        drain(worker);
    }

    @Test
    void aSuccessfulUnsafeRequestInvalidatesItsUriAndItsSameOriginLocation() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, FRESH);
        exchangeVia(client, worker, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n", FRESH);
        exchangeVia(client, worker, "GET /c HTTP/1.1\r\nHost: elsewhere\r\n\r\n", FRESH);
        assertEquals(3, stats().entries());
        String posted = exchangeVia(client, worker, "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n1",
                "HTTP/1.1 201 Created\r\nLocation: /b\r\nContent-Location: http://elsewhere/c\r\n"
                        + "Content-Length: 0\r\n\r\n");
        assertTrue(posted.contains("x-cache: BYPASS"), posted);
        client.writeInbound(ascii(GET_A));
        assertTrue(drain(worker).startsWith("GET /a "), "the POSTed URI is gone");
        worker.writeInbound(ascii(FRESH));
        drain(client);
        client.writeInbound(ascii("GET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertTrue(drain(worker).startsWith("GET /b "), "its Location on the same origin is gone");
        worker.writeInbound(ascii(FRESH));
        drain(client);
        client.writeInbound(ascii("GET /c HTTP/1.1\r\nHost: elsewhere\r\n\r\n"));
        assertTrue(drain(client).contains("x-cache: HIT"), "a response never invalidates another origin's entries");
    }

    @Test
    void aFailedUnsafeRequestInvalidatesNothing() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, FRESH);
        exchangeVia(client, worker, "DELETE /a HTTP/1.1\r\nHost: x\r\n\r\n",
                "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        client.writeInbound(ascii(GET_A));
        assertTrue(drain(client).contains("x-cache: HIT"));
    }

    @Test
    void aRequestWithAuthorizationIsNeverAnsweredFromTheCache() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, FRESH);
        String answer = exchangeVia(client, worker, "GET /a HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dTpw\r\n\r\n",
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 4\r\n\r\nmine");
        assertTrue(answer.contains("x-cache: BYPASS") && answer.endsWith("mine"), answer);
        client.writeInbound(ascii(GET_A));
        assertTrue(drain(client).endsWith("hello"), "nor is its response stored over the shared one");
    }

    @Test
    void privateNoStoreAndSetCookieResponsesAreNeverStored() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        for (String response : List.of(
                "HTTP/1.1 200 OK\r\nCache-Control: private, max-age=60\r\nContent-Length: 1\r\n\r\np",
                "HTTP/1.1 200 OK\r\nCache-Control: no-store, max-age=60\r\nContent-Length: 1\r\n\r\nn",
                "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nSet-Cookie: s=1\r\nContent-Length: 1\r\n\r\nc")) {
            exchangeVia(client, worker, GET_A, response);
            client.writeInbound(ascii(GET_A));
            assertTrue(drain(worker).startsWith("GET /a "), "asked again after " + response);
            worker.writeInbound(ascii(response));
            assertTrue(drain(client).contains("x-cache: MISS"));
        }
        assertEquals(0, stats().entries());
    }

    @Test
    void onlyIfCachedIsAnsweredFromTheCacheOr504WithoutAskingAWorker() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, FRESH);
        client.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\nCache-Control: only-if-cached\r\n\r\n"));
        assertTrue(drain(client).contains("x-cache: HIT"));
        client.writeInbound(ascii("GET /n HTTP/1.1\r\nHost: x\r\nCache-Control: only-if-cached\r\n\r\n"));
        assertTrue(drain(client).startsWith("HTTP/1.1 504 "));
        assertEquals("", drain(worker));
    }

    @Test
    void aWorkersOwnXCacheNeverReachesTheClientBesideTheParents() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        String workers = "X-Cache: HIT\r\nx-CACHE: HIT from app\r\n";
        String miss = exchangeVia(client, worker, GET_A, "HTTP/1.1 200 OK\r\nCache-Control: max-age=60, must-revalidate\r\n"
                + workers + "ETag: \"1\"\r\nContent-Length: 5\r\n\r\nhello");
        assertEquals(1, count(miss.toLowerCase(), "x-cache:"), miss);
        assertTrue(miss.contains("x-cache: MISS\r\n") && miss.endsWith("hello"), miss);
        client.writeInbound(ascii(GET_A));
        String hit = drain(client);
        assertEquals(1, count(hit.toLowerCase(), "x-cache:"), "nor is it stored: " + hit);
        assertTrue(hit.contains("x-cache: HIT\r\n"), hit);
        // revalidated: the 304's own X-Cache neither reaches the client nor updates the stored head
        String revalidated = exchangeVia(client, worker, "GET /a HTTP/1.1\r\nHost: x\r\nCache-Control: no-cache\r\n\r\n",
                "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\nCache-Control: max-age=60\r\n" + workers + "\r\n");
        assertEquals(1, count(revalidated.toLowerCase(), "x-cache:"), revalidated);
        assertTrue(revalidated.contains("x-cache: REVALIDATED\r\n"), revalidated);
        // bypassed (POST): ours only
        String bypass = exchangeVia(client, worker, "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\n" + workers + "Content-Length: 2\r\n\r\nok");
        assertEquals(1, count(bypass.toLowerCase(), "x-cache:"), bypass);
        assertTrue(bypass.contains("x-cache: BYPASS\r\n"), bypass);
    }

    @Test
    void withTheStatusHeaderOffNoXCacheIsSent() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = upstream.client(settings().withCache(cache, false), pool);
        channels.add(client);
        assertFalse(exchangeVia(client, worker, GET_A, FRESH).contains("x-cache"));
        client.writeInbound(ascii(GET_A));
        String hit = drain(client);
        assertTrue(hit.endsWith("hello") && !hit.contains("x-cache"), hit);
        assertEquals(FRESH, exchangeVia(client, worker, "GET /z HTTP/1.1\r\nHost: x\r\n\r\n", FRESH),
                "a response passed on needs no rewriting then");
    }

    @Test
    void pipelinedHitsWaitForAClientThatReadsNothing() {
        EmbeddedChannel worker = worker();
        EmbeddedChannel client = client();
        exchangeVia(client, worker, GET_A, FRESH);
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // the client stopped reading
        client.writeInbound(ascii(GET_A + GET_A + GET_A));
        assertTrue(exchange(client).receiver.pausedForClient(), "answers wait for the client to take them");
        assertEquals(1, count(drain(client), "x-cache: HIT"), "one answer, then no more until it reads");
        client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        client.runPendingTasks();
        assertEquals(2, count(drain(client), "x-cache: HIT"), "the rest once it reads");
        assertFalse(exchange(client).receiver.pausedForClient());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
