package io.jcluster.agent.cluster;

import io.jcluster.agent.cluster.embedded.EmbeddedStore;
import io.jcluster.agent.config.OptionParser;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoresTest {

    @Test
    void storeEmbeddedOpensTheEmbeddedStoreBoundedByStoreSize() throws Exception {
        try (Store store = Stores.open(OptionParser.parse("store-size=300k,max-message=1k").store(),
                Map.of("JCLUSTER_STORE_PASSWORD", "ignored"))) {
            assertInstanceOf(EmbeddedStore.class, store);
            assertEquals("embedded", store.kind());
            for (int i = 0; i < 1000; i++) {
                store.maps().put("m", "k" + i, new byte[1000], 0).join();
            }
            assertTrue(store.maps().bytes() <= 300L << 10, store.maps().bytes() + " bytes");
            assertTrue(store.maps().evictions() > 0);
        }
    }
}
