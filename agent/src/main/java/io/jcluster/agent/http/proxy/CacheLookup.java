package io.jcluster.agent.http.proxy;

import io.jcluster.agent.http.cache.CacheCounters;
import io.jcluster.agent.http.cache.CachePolicy;
import io.jcluster.agent.http.cache.CacheRequest;
import io.jcluster.agent.http.cache.PendingFill;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.http.cache.ResponseFacts;
import io.jcluster.agent.http.cache.StoredResponse;
import io.jcluster.agent.http.wire.BodyFraming;
import io.jcluster.agent.http.wire.MessageHead;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.IllegalReferenceCountException;

import java.util.List;

/**
 * The response cache's part in one client connection's exchanges ({@code cache=}): at each request head, whether
 * the cache answers it (fresh: HIT; stale while revalidating: STALE), the request waits for a concurrent fill of its
 * key ({@link CoalescedWait}), or it goes to a worker (MISS, with the stored response's validators when it
 * revalidates one; BYPASS for what the cache does not answer); at the worker's response head, what becomes of it (a
 * 304 refreshes and answers from the stored response: REVALIDATED; a 5xx or no worker at all answers the stale one
 * where stale-if-error allows: STALE; a storable response is copied as it goes by and stored at its end
 * ({@link ResponseStoring}); an unsafe method's success invalidates, RFC 9111 section 4.4). One per client
 * connection, its fields set per request; everything runs on the connection's event loop except the
 * {@link PendingFill} callback, handed back to it.
 *
 * <p>{@link CacheRequest} reads the request head in place: the receiver keeps that head as it is until the
 * exchange ends (it resets it when it awaits the next), so that the Vary values of a response being stored, and a
 * waiter's Vary match, are read from the request they belong to.
 */
final class CacheLookup {

    /** The request goes to a worker. */
    static final int FORWARD = 0;
    /** The request was answered from the cache: nothing goes to a worker; the connection takes its next request. */
    static final int ANSWERED = 1;
    /** The request waits for the response another request is fetching for its key (bounded by response-timeout). */
    static final int WAIT = 2;
    /** only-if-cached, and nothing stored answers it: 504 (RFC 9111 section 5.2.1.7). */
    static final int NOT_CACHED = 3;

    /** Request lines that make a request conditional or partial: its answer is its own, not one to store or share. */
    private static final List<String> CONDITIONAL = List.of("if-none-match", "if-modified-since", "if-match",
            "if-unmodified-since", "if-range", "range");

    private final Exchange x;
    private final ResponseCache cache;
    /** The request lines besides Host and target that belong in the key (ForwardedHeaders: a trusted peer's). */
    private final CacheRequest.KeyedFields keyed;
    private final CacheCounters counters;
    final CacheRequest request = new CacheRequest();
    private final ResponseStoring storing = new ResponseStoring();
    /** The copy of a body being stored ({@link TeeRelay} reads it here: the same one as {@link #storing}'s). */
    final CacheFill fill = storing.fill;
    /** Where a body being stored goes once copied ({@link TeeRelay}). */
    BodyRelay then = PassThroughRelay.INSTANCE;
    private final Runnable afterRescue = this::afterRescue;
    private final CoalescedWait wait;
    /** Scans a stored head for a 304's update; made on the first. */
    private MessageHead storedHead;

    // the request in progress
    /** The X-Cache of the response the worker sends (null: none). */
    private CacheStatus status;
    /** The stored response being revalidated or kept for stale-if-error, retained by this request; or null. */
    private StoredResponse stored;
    /** The fill of the request's key this request makes (it is its filler), or null. */
    private PendingFill pending;
    /** Validators of {@link #stored} went with the request. */
    private boolean validating;
    /** The client had its answer already (stale-while-revalidate): the worker's response only refreshes the cache. */
    private boolean background;
    private boolean unsafe;
    /** A stale answer replaced an error; the next request is taken in a task of its own. */
    private boolean rescued;
    private long requestTime;

    CacheLookup(Exchange exchange, ResponseCache cache, CacheRequest.KeyedFields keyed) {
        this.x = exchange;
        this.keyed = keyed;
        this.cache = cache;
        this.counters = cache.counters();
        this.wait = new CoalescedWait(exchange, request, counters);
    }

    /**
     * A request head is in (its hop-by-hop lines still there): answers it from the cache, or says what to do.
     *
     * @param plain  no body and no upgrade: a request the cache may answer
     * @param close  the connection ends after this request
     * @return {@link #FORWARD}, {@link #ANSWERED} (the response is written, not flushed), {@link #WAIT} or
     * {@link #NOT_CACHED}
     */
    int lookup(MessageHead head, boolean plain, boolean close, boolean http10) {
        endRequest();
        request.read(head, x.settings.secure(), keyed);
        if (!request.cacheableMethod() || !plain || request.authorization()) {
            // RFC 9111 section 3.5: a response to a request with Authorization is the user's; this cache neither
            // answers such a request nor stores its response
            unsafe = request.unsafeMethod();
            if (unsafe) {
                request.key(); // made now, from the head as it came: what invalidates it is known at the response
            }
            status = CacheStatus.BYPASS;
            counters.bypassed();
            return FORWARD;
        }
        long now = epochSeconds();
        requestTime = now;
        StoredResponse found = cache.find(request);
        if (found != null) {
            CachePolicy.Reuse reuse = CachePolicy.reuse(request, found, now);
            if (reuse == CachePolicy.Reuse.FRESH) {
                if (CachedResponses.write(x, found, shown(CacheStatus.HIT), request.headMethod(), close, http10, now)) {
                    counters.hit();
                    return ANSWERED;
                }
            } else if (reuse == CachePolicy.Reuse.STALE_WHILE_REVALIDATE) {
                if (keep(found)
                        && CachedResponses.write(x, stored, shown(CacheStatus.STALE), request.headMethod(), close,
                        http10, now)) {
                    counters.stale();
                    return revalidateInBackground();
                }
            } else {
                keep(found); // to revalidate, or to answer with on an error (stale-if-error)
            }
        }
        if (request.onlyIfCached()) {
            return NOT_CACHED;
        }
        status = CacheStatus.MISS;
        if (request.headMethod() || conditional()) {
            counters.miss(); // its answer has no body to store, or is its own (a 304, a 206)
            return FORWARD;
        }
        PendingFill fill = cache.fill(request.key());
        if (fill.filler()) {
            counters.miss();
            pending = fill;
            validating = stored != null && Validators.any(stored.facts());
            return FORWARD;
        }
        if (wait.await(fill)) {
            return WAIT;
        }
        counters.miss(); // too many wait already
        return FORWARD;
    }

    /** After a stale answer: this request revalidates the entry unless another request does already. */
    private int revalidateInBackground() {
        if (request.headMethod() || conditional() || !Validators.any(stored.facts())) {
            return ANSWERED;
        }
        PendingFill fill = cache.fill(request.key());
        if (!fill.filler()) {
            return ANSWERED;
        }
        x.client.flush(); // the client has its answer now; the worker's comes later
        pending = fill;
        validating = true;
        background = true;
        status = null;
        return FORWARD;
    }

    /** Whether a response is being waited for. */
    boolean waiting() {
        return wait.waiting();
    }

    /** The wait took response-timeout: the request goes to a worker itself. */
    void waitedTooLong() {
        wait.waitedTooLong();
    }

    /** The room {@link #writeValidators} needs in the request head. */
    int validatorRoom() {
        return validating ? Validators.room(stored.facts()) : 0;
    }

    /** Adds the stored response's validators to the request head going to the worker, when it revalidates. */
    void writeValidators(ByteBuf out) {
        if (validating) {
            Validators.write(out, stored.facts());
        }
    }

    /** The X-Cache line for the worker's response passed on, or null. */
    byte[] statusLine() {
        CacheStatus shown = shown(status);
        return shown == null ? null : shown.line;
    }

    /** What X-Cache says for the request in progress, or null when it is not shown. */
    CacheStatus shownStatus() {
        return shown(status);
    }

    /**
     * The worker's final response head is in, its hop-by-hop lines marked dropped and its relay chosen: invalidates,
     * answers from the cache instead, or starts storing it.
     *
     * @return true when the client does not get this response (its body is dropped): the cache answered instead
     */
    boolean responseHead(MessageHead head, BodyFraming body) {
        int code = head.status();
        if (unsafe) {
            if (CachePolicy.invalidates(request, code)) {
                invalidate(ResponseFacts.read(head));
            }
            return false;
        }
        if (pending == null && stored == null) {
            return false;
        }
        long now = epochSeconds();
        if (validating && code == 304) {
            StoredResponse updated = updated(head, now); // on the body this request keeps: answered from that
            StoredResponse answer = stored;
            if (updated != null) {
                answer = updated;
                complete(cache.refresh(stored, updated.facts(), updated.headBytes(), requestTime, now));
            } else {
                complete(null);
            }
            if (!background) {
                CachedResponses.write(x, answer, shown(CacheStatus.REVALIDATED), request.headMethod(),
                        x.closeAfterResponse, x.http10, now);
                x.clientNeedsFlush = true;
                counters.revalidated();
            }
            x.relay = DiscardingRelay.INSTANCE;
            return true;
        }
        if (!background && stored != null && CachePolicy.isError(code)
                && CachePolicy.staleIfError(request, stored, now)) {
            complete(null);
            CachedResponses.write(x, stored, shown(CacheStatus.STALE), request.headMethod(), x.closeAfterResponse,
                    x.http10, now);
            x.clientNeedsFlush = true;
            counters.stale();
            x.relay = DiscardingRelay.INSTANCE;
            return true;
        }
        if (pending != null && !startStoring(head, body, now)) {
            complete(null);
        }
        if (background) {
            if (storing.storing()) {
                then = DiscardingRelay.INSTANCE;
            } else {
                x.relay = DiscardingRelay.INSTANCE;
            }
            return true;
        }
        return false;
    }

    /** Starts copying the response's body to store it, if it may be stored; false if not. */
    private boolean startStoring(MessageHead head, BodyFraming body, long now) {
        if (!storing.start(head, body, request, x.client.alloc(), cache.maxObject(), now)) {
            return false;
        }
        then = x.relay;
        x.relay = TeeRelay.INSTANCE;
        return true;
    }

    /**
     * The worker's response has ended: a body copied whole is stored, and the requests waiting for it answered.
     *
     * @param inStep the worker sent nothing after the body
     */
    void responseEnded(boolean inStep) {
        then = PassThroughRelay.INSTANCE;
        StoredResponse response = storing.end(inStep, request, requestTime);
        // the response as stored (its body the cache's own copy), or null
        complete(response == null ? null : cache.put(response));
    }

    /**
     * The exchange is failing with {@code code} before any response began: answers with the stale response instead
     * where stale-if-error allows it (RFC 5861 section 4), e.g. with every worker down; a revalidation behind a
     * stale answer (stale-while-revalidate) just ends, its client having had its answer.
     *
     * @return true when it did: the connection goes on with its next request
     */
    boolean rescue(int code) {
        if (stored == null || x.responseStarted || !x.receiver.body.done()
                || (x.state != Exchange.State.CONNECTING && x.state != Exchange.State.FORWARDING)) {
            return false;
        }
        long now = epochSeconds();
        if (!background && (!CachePolicy.isError(code) || !CachePolicy.staleIfError(request, stored, now))) {
            return false;
        }
        Channel channel = x.detachBackend();
        if (channel != null) {
            channel.close(); // mid-exchange: not reusable
        }
        x.deadlines.clear();
        complete(null);
        wait.stop();
        if (!background) {
            CachedResponses.write(x, stored, shown(CacheStatus.STALE), request.headMethod(),
                    !x.keepAlive || x.closing, x.http10, now);
            counters.stale();
        } // else a revalidation behind a stale answer failed: the client has its answer, the entry stays stale
        x.state = Exchange.State.CONNECTING; // client bytes wait in the receiver meanwhile
        rescued = true;
        // not from inside whatever is failing (a dispatch inside the request head's own handling): a task of its own
        x.client.executor().execute(afterRescue);
        return true;
    }

    private void afterRescue() {
        if (rescued && x.state == Exchange.State.CONNECTING) {
            rescued = false;
            x.answeredFromCache();
        }
    }

    /** The connection ends: nothing is stored, nobody waits for this request any more. */
    void abandon() {
        storing.abandon();
        wait.stop();
        rescued = false;
        complete(null);
        release();
    }

    private void endRequest() {
        abandon();
        status = null;
        validating = false;
        background = false;
        unsafe = false;
        storing.forget();
        then = PassThroughRelay.INSTANCE;
    }

    /** Keeps {@code found} for this request (retained: an eviction meanwhile cannot take its body); false if gone. */
    private boolean keep(StoredResponse found) {
        try {
            found.body().retain();
        } catch (IllegalReferenceCountException evicted) {
            return false;
        }
        stored = found;
        return true;
    }

    private void release() {
        if (stored != null) {
            stored.body().release();
            stored = null;
        }
    }

    private void complete(StoredResponse response) {
        if (pending != null) {
            PendingFill fill = pending;
            pending = null;
            fill.complete(response);
        }
    }

    /** The stored response updated by the 304 in {@code notModified}, or null if the heads cannot be merged. */
    private StoredResponse updated(MessageHead notModified, long now) {
        if (storedHead == null) {
            storedHead = new MessageHead(false, HttpSettings.MAX_REQUEST_LINE, HttpSettings.MAX_RESPONSE_HEADERS);
        }
        return NotModifiedUpdate.of(stored, notModified, storedHead, requestTime, now);
    }

    /** The request's key, and the same-origin Location and Content-Location of the response (section 4.4). */
    private void invalidate(ResponseFacts response) {
        String key = request.key();
        cache.invalidate(key);
        for (String target : new String[]{response.location(), response.contentLocation()}) {
            String other = CachePolicy.invalidatedKey(request, target);
            if (other != null) {
                cache.invalidate(other);
            }
        }
    }

    private boolean conditional() {
        for (String name : CONDITIONAL) {
            if (request.header(name) != null) {
                return true;
            }
        }
        return false;
    }

    private CacheStatus shown(CacheStatus shown) {
        return shown(x, shown);
    }

    /** {@code shown}, or null where cache-status-header=off. */
    static CacheStatus shown(Exchange x, CacheStatus shown) {
        return x.settings.cacheStatusHeader() ? shown : null;
    }

    static long epochSeconds() {
        return System.currentTimeMillis() / 1000;
    }
}
