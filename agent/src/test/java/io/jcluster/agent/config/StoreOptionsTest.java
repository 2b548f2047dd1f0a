package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** store=, store-size=, store-timeout=, max-message=: what they accept, their defaults, and the one-line errors. */
class StoreOptionsTest {

    private static final String PASSWORD_IN_URI = "store: put the password in JCLUSTER_STORE_PASSWORD, not in the URI"
            + " (command lines are readable by every local user)";

    @Test
    void defaultsAreEmbedded64mFiveSeconds256k() throws OptionException {
        StoreOptions store = OptionParser.parse(null).store();
        assertEquals(StoreLocation.EMBEDDED, store.location());
        assertTrue(store.location().embedded());
        assertEquals("embedded", store.location().uri());
        assertEquals(64L << 20, store.sizeBytes());
        assertEquals(Duration.ofSeconds(5), store.timeout());
        assertEquals(256L << 10, store.maxMessage());
        assertNull(store.password(), "parsing never reads a password");
        assertEquals(store, OptionParser.parse("store=embedded").store());
    }

    @Test
    void everyStoreOptionParses() throws OptionException {
        StoreOptions store = OptionParser.parse("store=embedded,store-size=1g,store-timeout=250ms,max-message=8m").store();
        assertEquals(1L << 30, store.sizeBytes());
        assertEquals(Duration.ofMillis(250), store.timeout());
        assertEquals(8L << 20, store.maxMessage());
        assertEquals(1, OptionParser.parse("max-message=1,store-size=4097").store().maxMessage());
        assertEquals(8L << 20, OptionParser.parse("max-message=8m,store-size=8196k").store().maxMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "redis://127.0.0.1:6380       | 127.0.0.1 | 6380  | 0  | false | redis://127.0.0.1:6380/0",
            "redis://127.0.0.1:6380/      | 127.0.0.1 | 6380  | 0  | false | redis://127.0.0.1:6380/0",
            "redis://cache.example:7000/3 | cache.example | 7000 | 3 | false | redis://cache.example:7000/3",
            "rediss://cache.example:6380/15 | cache.example | 6380 | 15 | true | rediss://cache.example:6380/15",
            "redis://localhost            | localhost | 6379  | 0  | false | redis://localhost:6379/0",
            "REDIS://localhost:1          | localhost | 1     | 0  | false | redis://localhost:1/0",
            "redis://[::1]:6379/2         | ::1       | 6379  | 2  | false | redis://[::1]:6379/2",
            "redis://h:65535              | h         | 65535 | 0  | false | redis://h:65535/0",
    })
    void redisLocationsParse(String value, String host, int port, int db, boolean tls, String uri)
            throws OptionException {
        StoreLocation location = OptionParser.parse("store=" + value).store().location();
        assertEquals(new StoreLocation(host, port, db, tls), location);
        assertFalse(location.embedded());
        assertEquals(uri, location.uri());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "store=memory          | store=memory: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=http://h:6379   | store=http://h:6379: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis:h:6379    | store=redis:h:6379: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis://        | store=redis://: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis://h:0     | store=redis://h:0: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis://h:65536 | store=redis://h:65536: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis://h:port  | store=redis://h:port: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis://h:      | store=redis://h:: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis://h:1?db=2 | store=redis://h:1?db=2: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis://h:1#x   | store=redis://h:1#x: expected embedded, redis://host:port[/db] or rediss://host:port[/db] (db 0 to 15)",
            "store=redis://h:1/16  | store=redis://h:1/16: the database '16' is not a number from 0 to 15 (a default Redis server has 16: redis://host:port/0 .. /15)",
            "store=redis://h:1/-1  | store=redis://h:1/-1: the database '-1' is not a number from 0 to 15 (a default Redis server has 16: redis://host:port/0 .. /15)",
            "store=redis://h:1/a   | store=redis://h:1/a: the database 'a' is not a number from 0 to 15 (a default Redis server has 16: redis://host:port/0 .. /15)",
            "store-size=0          | store-size=0: expected a size like 64m or 1g (bytes, k, m, g)",
            "store-size=off        | store-size=off: expected a size like 64m or 1g (bytes, k, m, g)",
            "store-size=lots       | store-size=lots: expected a size like 64m or 1g (bytes, k, m, g)",
            "store-size=1k         | store-size=1k: too small for max-message=256k; give store-size at least max-message + 4k (a value of max-message bytes, its key and map name must fit)",
            "max-message=1,store-size=4096 | store-size=4096: too small for max-message=1; give store-size at least max-message + 4k (a value of max-message bytes, its key and map name must fit)",
            "max-message=8m,store-size=8m | store-size=8m: too small for max-message=8m; give store-size at least max-message + 4k (a value of max-message bytes, its key and map name must fit)",
            "store=redis://h:1,store-size=1g | store-size=1g: applies to store=embedded only (Redis bounds its memory itself: maxmemory in redis.conf)",
            "store-timeout=0s      | store-timeout=0s: expected a duration like 5s or 500ms",
            "store-timeout=5       | store-timeout=5: expected a duration like 5s or 500ms",
            "max-message=0         | max-message=0: expected a size from 1 to 8m, like 256k (bytes, k, m)",
            "max-message=off       | max-message=off: expected a size from 1 to 8m, like 256k (bytes, k, m)",
            "max-message=9m        | max-message=9m: expected a size from 1 to 8m, like 256k (bytes, k, m)",
            "max-message=8193k     | max-message=8193k: expected a size from 1 to 8m, like 256k (bytes, k, m)",
            "store=embedded,store=redis://h:1 | store=redis://h:1: store may be given only once (it was also store=embedded)",
    })
    void badStoreOptionsNameTheOptionAndWhatIsAccepted(String argument, String message) {
        assertEquals(message, assertThrows(OptionException.class, () -> OptionParser.parse(argument)).getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "redis://:s3cret@h:6379",
            "redis://user:s3cret@h:6379/1",
            "rediss://s3cret@h",
            "redis://default:p%40ss@[::1]:6379",
            "redis://s3cret@",
            "redis://u:s3cret@h:notaport",
            "redis://:s3/cret@h:6379",
            "redis://:s3?cret@h:6379",
            "redis://:s3#cret@h:6379",
            "redis://:s3cret@h:6379/16",
            "redis://:s3cret@h:6379;store=embedded",
            "redis://:s3cret@h:6379;store=redis://h:1",
            "redis://h:1;store=redis://:s3cret@h:6379",
            "redis://:s3cret@h:6379;store-size=1g",
            "redis://:s3,cret@h:6379",
            "redis://:s3,c=ret@h:6379",
    })
    void aPasswordInTheUriIsRefusedWithoutShowingIt(String value) {
        String argument = "store=" + value.replace(";", ",");
        String message = assertThrows(OptionException.class, () -> OptionParser.parse(argument)).getMessage();
        assertEquals(PASSWORD_IN_URI, message);
        assertFalse(message.contains("s3") || message.contains("cret") || message.contains("p%40ss"), message);
    }

    @Test
    void aPasswordInTheUriOfAConfigFileIsRefusedWithoutShowingIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("jcluster.properties");
        for (String value : List.of("redis://:s3cret@h:6379", "redis://:s3,cret@h:6379")) {
            Files.writeString(file, "store=" + value + "\n");
            String message = assertThrows(OptionException.class, () -> OptionParser.parse("config=" + file))
                    .getMessage();
            assertEquals(PASSWORD_IN_URI, message);
        }
    }

    @Test
    void theRedisOptionsParseInAWorkerToo() throws OptionException {
        StoreOptions store = OptionParser.parseInWorker("store=redis://127.0.0.1:7000,max-message=1m,store-timeout=2s")
                .store();
        assertEquals(new StoreLocation("127.0.0.1", 7000, 0, false), store.location());
        assertEquals(1L << 20, store.maxMessage());
        assertEquals(Duration.ofSeconds(2), store.timeout());
        assertNull(store.password());
    }

    @Test
    void thePasswordIsCarriedButNeverPrinted() throws OptionException {
        StoreOptions store = OptionParser.parse("store=redis://127.0.0.1:7000").store().withPassword("s3cret");
        assertEquals("s3cret", store.password());
        assertFalse(store.toString().contains("s3cret"), store.toString());
        assertTrue(store.toString().contains("<hidden>"), store.toString());
        assertFalse(OptionParser.parse("store=redis://127.0.0.1:7000").toString().contains("s3cret"));
        assertNull(store.withPassword("").password(), "an empty variable is no password");
        assertNull(store.withPassword(null).password());
    }
}
