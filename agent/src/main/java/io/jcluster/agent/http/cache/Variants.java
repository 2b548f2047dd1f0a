package io.jcluster.agent.http.cache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The variants (Vary) of one cache key, immutable: a put makes a new one, so a hit reads it without a lock. */
final class Variants {

    /** The most variants kept per key; past it the oldest goes (a hostile Vary value must not grow a key's list). */
    static final int MAX_VARIANTS = 16;

    final StoredResponse[] responses;
    /** The Caffeine weight of the key: its variants' weights summed, capped to what a weigher may return. */
    final int weight;

    private Variants(StoredResponse[] responses) {
        this.responses = responses;
        long total = 0;
        for (StoredResponse response : responses) {
            total += response.weight();
        }
        this.weight = (int) Math.min(Integer.MAX_VALUE, total);
    }

    /** {@code old} with {@code added} in place of the variant it replaces (or first); {@code dropped} gets what went. */
    static Variants with(Variants old, StoredResponse added, List<StoredResponse> dropped) {
        if (old == null) {
            return new Variants(new StoredResponse[] {added});
        }
        List<StoredResponse> kept = new ArrayList<>(old.responses.length + 1);
        kept.add(added);
        for (StoredResponse response : old.responses) {
            if (Arrays.equals(response.varyValues(), added.varyValues())) {
                dropped.add(response);
            } else if (kept.size() < MAX_VARIANTS) {
                kept.add(response);
            } else {
                dropped.add(response);
            }
        }
        return new Variants(kept.toArray(StoredResponse[]::new));
    }
}
