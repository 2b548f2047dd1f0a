package io.jcluster.agent.parent;

import io.jcluster.agent.cluster.ClusterHub;
import io.jcluster.agent.cluster.HostLease;
import io.jcluster.agent.cluster.MessageBus;
import io.jcluster.agent.cluster.SharedMaps;
import io.jcluster.agent.cluster.Store;
import io.jcluster.agent.http.cache.ResponseCache;
import io.jcluster.agent.http.cache.StoredResponse;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two hosts' parents on one bus (what Redis pub/sub does): a purge on one empties the path on both. */
class CachePurgesTest {

    private final List<MessageBus.Sink> sinks = new ArrayList<>();
    private final List<ClusterHub> hubs = new ArrayList<>();
    private final List<ResponseCache> caches = new ArrayList<>();

    /** One host: its hub on a bus that hands every message to every host, naming the publisher as Redis does. */
    private CachePurges host(boolean shared) {
        int host = sinks.size();
        Store store = new BusOnlyStore(new MessageBus() {
            @Override
            public void publish(String topic, byte[] message, int fromWorker) {
                for (int i = 0; i < sinks.size(); i++) {
                    sinks.get(i).deliver(topic, message, i == host ? fromWorker : -1);
                }
            }

            @Override
            public void deliverTo(Sink sink) {
                sinks.add(sink);
            }

            @Override
            public long dropped() {
                return 0;
            }
        });
        ClusterHub hub = new ClusterHub(store, 1024);
        hubs.add(hub);
        ResponseCache cache = new ResponseCache(1 << 20, 1 << 16);
        caches.add(cache);
        for (String key : List.of("http://a/x", "http://a/x?q=1", "http://a/x/y", "http://a/z")) {
            cache.put(new StoredResponse(key, null, new byte[0], Unpooled.buffer(1).writeByte(1), 0, 0, null));
        }
        return new CachePurges(cache, hub, shared);
    }

    @AfterEach
    void close() {
        hubs.forEach(ClusterHub::close);
        caches.forEach(ResponseCache::close);
    }

    @Test
    void aPurgeTravelsToTheOtherHostsAndIsDoneOnceOnEach() {
        CachePurges here = host(true);
        host(true);
        assertEquals(2, here.purge("/x", false));
        assertEquals(List.of(2L, 2L), entries());
        assertEquals(List.of(2L, 2L), purged(), "each host purged once: its own purge is not handed back to it");
        assertEquals(1, here.purge("/x/", true));
        assertEquals(List.of(1L, 1L), entries());
    }

    @Test
    void withoutASharedStoreThePurgeStaysHere() {
        CachePurges here = host(false);
        host(true);
        assertEquals(4, here.purge("/", true));
        assertEquals(List.of(0L, 4L), entries());
    }

    @Test
    void aMalformedPurgeFromAnotherHostIsIgnored() {
        CachePurges here = host(true);
        for (String message : List.of("", "=", "x/x", "=x", "=/x?q=1", "=/x y", "*/x\n")) {
            here.received(message.getBytes(StandardCharsets.ISO_8859_1));
        }
        here.received(new byte[] {'=', '/', (byte) 0xff});
        here.received(CachePurges.encode("/" + "x".repeat(2048), true));
        assertEquals(List.of(4L), entries());
        here.received(CachePurges.encode("/x", false));
        assertEquals(List.of(2L), entries());
    }

    private List<Long> entries() {
        return caches.stream().map(cache -> cache.stats().entries()).toList();
    }

    private List<Long> purged() {
        return caches.stream().map(cache -> cache.stats().purged()).toList();
    }

    /** A store with only messages. */
    private record BusOnlyStore(MessageBus bus) implements Store {
        @Override
        public String kind() {
            return "test";
        }

        @Override
        public Health health() {
            return null;
        }

        @Override
        public SharedMaps maps() {
            return null;
        }

        @Override
        public MessageBus messages() {
            return bus;
        }

        @Override
        public HostLease lease() {
            return new HostLease() {
                @Override
                public void start(Consumer<Boolean> held) {
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
