package io.jcluster.agent.http.cache;

import java.util.concurrent.atomic.LongAdder;

/** What happened to each request the cache was asked about, summed for {@link CacheStats}. */
final class OutcomeCounters implements CacheCounters {

    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder stale = new LongAdder();
    final LongAdder revalidated = new LongAdder();
    final LongAdder bypassed = new LongAdder();
    final LongAdder coalesced = new LongAdder();

    @Override
    public void hit() {
        hits.increment();
    }

    @Override
    public void miss() {
        misses.increment();
    }

    @Override
    public void stale() {
        stale.increment();
    }

    @Override
    public void revalidated() {
        revalidated.increment();
    }

    @Override
    public void bypassed() {
        bypassed.increment();
    }

    @Override
    public void coalesced() {
        coalesced.increment();
    }
}
