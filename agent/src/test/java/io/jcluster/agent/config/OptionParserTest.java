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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionParserTest {

    @Test
    void defaultsWhenNothingIsGiven() throws OptionException {
        Options options = OptionParser.parse(null);
        assertEquals(Runtime.getRuntime().availableProcessors(), options.supervisor().processes());
        assertEquals(Strategy.LEAST_CONNECTIONS, options.proxy().strategy());
        assertEquals(List.of(), options.proxy().ports());
        assertEquals(Duration.ofSeconds(30), options.supervisor().shutdownTimeout());
        assertEquals(LogMode.PREFIX, options.supervisor().log());
        assertEquals(Duration.ofSeconds(1), options.supervisor().restartDelay());
        assertEquals(10, options.supervisor().maxRestarts());
        assertEquals(options, OptionParser.parse(""));
    }

    @Test
    void everyOptionParses() throws OptionException {
        Options options = OptionParser.parse("processes=3, strategy=round-robin,port=8080,port=8443,"
                + "shutdown-timeout=500ms,log=inherit,restart-delay=2s,max-restarts=0");
        assertEquals(3, options.supervisor().processes());
        assertEquals(Strategy.ROUND_ROBIN, options.proxy().strategy());
        assertEquals(List.of(8080, 8443), options.proxy().ports());
        assertEquals(Duration.ofMillis(500), options.supervisor().shutdownTimeout());
        assertEquals(LogMode.INHERIT, options.supervisor().log());
        assertEquals(Duration.ofSeconds(2), options.supervisor().restartDelay());
        assertEquals(0, options.supervisor().maxRestarts());
    }

    @Test
    void eventLoopsAreAutoOrAPositiveCount() throws OptionException {
        assertEquals(0, OptionParser.parse(null).proxy().eventLoops(), "auto: the balancer decides");
        assertEquals(0, OptionParser.parse("event-loops=auto").proxy().eventLoops());
        assertEquals(2, OptionParser.parse("event-loops=2").proxy().eventLoops());
        for (String bad : List.of("0", "-1", "two")) {
            OptionException error = assertThrows(OptionException.class, () -> OptionParser.parse("event-loops=" + bad));
            assertTrue(error.getMessage().startsWith("event-loops=" + bad), error.getMessage());
        }
        assertThrows(OptionException.class, () -> OptionParser.parse("balancer=kernel,event-loops=2"));
    }

    @Test
    void recyclingIsOffByDefaultAndParsed() throws OptionException {
        assertEquals(RecycleOptions.OFF, OptionParser.parse("processes=1").supervisor().recycle());
        assertEquals(new RecycleOptions(1000, 50, Duration.ofHours(1)),
                OptionParser.parse("max-requests=1000,max-requests-jitter=50,max-age=1h").supervisor().recycle());
        assertEquals(new RecycleOptions(0, 0, Duration.ofMinutes(30)),
                OptionParser.parse("balancer=kernel,max-age=30m").supervisor().recycle());
    }

    @Test
    void portsSayWhatIsClustered() throws OptionException {
        Options all = OptionParser.parse("processes=1");
        assertTrue(all.proxy().clusters(8080));
        assertTrue(!all.proxy().clusters(0), "port 0 is never clustered");
        Options some = OptionParser.parse("port=8080");
        assertTrue(some.proxy().clusters(8080));
        assertTrue(!some.proxy().clusters(8081));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "processes=0          | processes=0: expected a positive integer or 'auto'",
            "processes=abc        | processes=abc: expected a positive integer or 'auto'",
            "processes=-1         | processes=-1: expected a positive integer or 'auto'",
            "strategy=fastest     | strategy=fastest: expected round-robin, least-connections, random or power-of-two",
            "nosuch=1             | nosuch=1: unknown option (known: {KNOWN})",
            "port=0               | port=0: expected a port number from 1 to 65535 (repeat the key for several)",
            "port=70000           | port=70000: expected a port number from 1 to 65535 (repeat the key for several)",
            "shutdown-timeout=10  | shutdown-timeout=10: expected a duration like 30s or 500ms",
            "restart-delay=fast   | restart-delay=fast: expected a duration like 1s or 500ms",
            "log=json             | log=json: expected prefix or inherit",
            "max-restarts=-2      | max-restarts=-2: expected a non-negative integer",
            "processes            | processes: expected key=value (known keys: {KNOWN})",
            "config=/no/such/file | config=/no/such/file: file not found",
            "mode=https           | mode=https: expected tcp, http or grpc",
            "mode=grpc,sticky=cookie | sticky=cookie: needs mode=http (mode=grpc relays each call's HTTP/2 frames: its deadline is the call's grpc-timeout, it has no cookies and nothing cacheable, and one worker connection carries many clients' calls)",
            "mode=grpc,response-timeout=5s | response-timeout=5s: needs mode=http (mode=grpc relays each call's HTTP/2 frames: its deadline is the call's grpc-timeout, it has no cookies and nothing cacheable, and one worker connection carries many clients' calls)",
            "mode=grpc,http2=off  | http2=off: mode=grpc needs HTTP/2 (gRPC is HTTP/2 only); leave http2 out",
            "balancer=kernel,mode=grpc | balancer=kernel has no proxy: mode=grpc needs balancer=proxy",
            "sticky=cookie        | sticky=cookie: needs mode=http (in tcp mode the balancer does not read requests, so it cannot see cookies)",
            "mode=http,sticky=a;b | sticky=a;b: expected off, cookie, or the name of the app's session cookie (e.g. JSESSIONID)",
            "tls-cert=/no/cert    | tls-cert=/no/cert: no such file",
            "max-connections=-1   | max-connections=-1: expected a positive integer, or 0 for no limit",
            "header-timeout=0s    | header-timeout=0s: expected a duration like 10s or 500ms",
            "queue-timeout=soon   | queue-timeout=soon: expected a duration like 5s or 500ms",
            "admin=abc            | admin=abc: expected host:port, or a port alone for 127.0.0.1:port",
            "admin=70000          | admin=70000: expected host:port, or a port alone for 127.0.0.1:port",
            "max-processes=0      | max-processes=0: expected a positive integer",
            "processes=9,max-processes=8 | processes=9: more than max-processes=8; give max-processes=9 or more to run that many",
            "tcp-idle-timeout=0s  | tcp-idle-timeout=0s: expected a duration like 5m or 30s, or off",
            "tcp-idle-timeout=soon | tcp-idle-timeout=soon: expected a duration like 5m or 30s, or off",
            "mode=http,tcp-idle-timeout=30s | tcp-idle-timeout=30s: needs mode=tcp (in http mode idle-timeout closes idle keep-alive connections)",
            "balancer=kernel,tcp-idle-timeout=30s | balancer=kernel has no proxy: tcp-idle-timeout=30s needs balancer=proxy",
            "admin-token=a,admin-token-file=/t | admin-token-file=/t: give either admin-token or admin-token-file, not both",
            "health=health        | health=health: expected tcp, or an HTTP path starting with / (e.g. /health)",
            "health-interval=0s   | health-interval=0s: expected a duration like 5s or 500ms",
            "health-threshold=0   | health-threshold=0: expected a positive integer",
            "max-memory=lots      | max-memory=lots: expected a size like 512m or 2g (bytes, k, m, g)",
            "ready-timeout=1      | ready-timeout=1: expected a duration like 60s",
            "balancer=ipvs        | balancer=ipvs: expected proxy or kernel",
            "balancer=kernel,mode=http | balancer=kernel has no proxy: mode=http needs balancer=proxy",
            "balancer=kernel,strategy=round-robin | balancer=kernel has no proxy: strategy=round-robin needs balancer=proxy",
            "balancer=kernel,max-connections=100 | balancer=kernel has no proxy: max-connections=100 needs balancer=proxy",
            "sticky=cookie,balancer=kernel | balancer=kernel has no proxy: sticky=cookie needs balancer=proxy",
            "balancer=kernel,idle-timeout=5s | balancer=kernel has no proxy: idle-timeout=5s needs balancer=proxy",
            "balancer=kernel,health=/health | balancer=kernel has no proxy: health=/health needs balancer=proxy (the kernel picks the worker of each connection, so an HTTP probe cannot reach a chosen worker; health=tcp checks that each worker still listens)",
            "max-requests=-1      | max-requests=-1: expected a non-negative integer (0 = off)",
            "max-requests=lots    | max-requests=lots: expected a non-negative integer (0 = off)",
            "max-requests=99999999999999999999 | max-requests=99999999999999999999: expected a non-negative integer (0 = off)",
            "max-requests-jitter=-5 | max-requests-jitter=-5: expected a non-negative integer",
            "max-requests-jitter=20 | max-requests-jitter=20: needs max-requests (the jitter is added to each worker's max-requests)",
            "max-age=0s           | max-age=0s: expected a duration like 1h or 30m, or off",
            "max-age=soon         | max-age=soon: expected a duration like 1h or 30m, or off",
            "balancer=kernel,max-requests=100 | balancer=kernel has no proxy: max-requests=100 needs balancer=proxy (the parent counts what it passes each worker; max-age works with both)",
    })
    void badInputNamesTheOptionAndWhatIsAccepted(String argument, String message) {
        OptionException error = assertThrows(OptionException.class, () -> OptionParser.parse(argument));
        assertEquals(message.replace("{KNOWN}", Option.knownKeys()), error.getMessage());
    }

    @Test
    void tlsNeedsBothFilesAndHttpMode(@TempDir Path dir) throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        assertEquals("tls-cert=" + cert + ": needs tls-key too (the path of a PEM file with an unencrypted PKCS#8 private key)",
                assertThrows(OptionException.class, () -> OptionParser.parse("mode=http,tls-cert=" + cert)).getMessage());
        assertEquals("tls-cert=" + cert + ": needs mode=http or grpc (in tcp mode TLS passes through to the app untouched)",
                assertThrows(OptionException.class,
                        () -> OptionParser.parse("tls-cert=" + cert + ",tls-key=" + key)).getMessage());
    }

    @Test
    void grpcModeTakesTheOptionsThatApplyToIt() throws Exception {
        Options grpc = OptionParser.parse("mode=grpc,trusted-proxies=10.0.0.0/8,max-concurrent-streams=50,"
                + "idle-timeout=30s,http2=on");
        assertEquals(Options.Mode.GRPC, grpc.proxy().mode());
        assertEquals("grpc", grpc.proxy().mode().optionValue());
        assertEquals(50, grpc.http().maxConcurrentStreams());
        assertTrue(grpc.http().trustedProxies().contains(java.net.InetAddress.getByName("10.1.2.3")));
    }

    @Test
    void httpOptionsHaveDefaults() throws OptionException {
        Options options = OptionParser.parse("mode=http,sticky=JSESSIONID");
        assertEquals(Options.Mode.HTTP, options.proxy().mode());
        assertEquals("JSESSIONID", options.http().sticky());
        assertEquals(Duration.ofSeconds(10), options.http().headerTimeout());
        assertEquals(Duration.ofSeconds(60), options.http().idleTimeout());
        assertEquals(0, options.proxy().maxConnections());
        assertEquals(Options.Mode.TCP, OptionParser.parse("").proxy().mode());
    }

    @Test
    void operationsOptionsParse() throws OptionException {
        Options defaults = OptionParser.parse(null);
        assertEquals(null, defaults.admin().address());
        assertEquals(null, defaults.health().path());
        assertEquals(Duration.ofSeconds(5), defaults.health().interval());
        assertEquals(3, defaults.health().threshold());
        assertEquals(0, defaults.supervisor().maxMemory());
        assertEquals(Duration.ofSeconds(60), defaults.supervisor().readyTimeout());

        Options options = OptionParser.parse("admin=9090,health=/health,health-interval=500ms,health-threshold=2,"
                + "max-memory=512m,ready-timeout=10s");
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 9090), options.admin().address());
        assertEquals("/health", options.health().path());
        assertEquals(Duration.ofMillis(500), options.health().interval());
        assertEquals(2, options.health().threshold());
        assertEquals(512L << 20, options.supervisor().maxMemory());
        assertEquals(Duration.ofSeconds(10), options.supervisor().readyTimeout());
        assertEquals(2L << 30, OptionValues.size(Option.MAX_MEMORY, "2g"));

        Options exposed = OptionParser.parse("admin=0.0.0.0:9090,admin-token=s3cret");
        assertEquals(9090, exposed.admin().address().getPort());
        assertTrue(exposed.admin().address().getAddress().isAnyLocalAddress());
        assertEquals("s3cret", exposed.admin().token());
        assertEquals(9091, OptionParser.parse("admin=[::1]:9091").admin().address().getPort());
    }

    @Test
    void maxProcessesCapsTheLaunchAndDefaultsToFourPerProcessorAtLeastEight() throws OptionException {
        assertEquals(8, OptionParser.defaultMaxProcesses(1));
        assertEquals(8, OptionParser.defaultMaxProcesses(2));
        assertEquals(64, OptionParser.defaultMaxProcesses(16));
        int processors = Runtime.getRuntime().availableProcessors();
        assertEquals(OptionParser.defaultMaxProcesses(processors), OptionParser.parse(null).supervisor().maxProcesses());
        assertEquals(20, OptionParser.parse("processes=20,max-processes=20").supervisor().maxProcesses());
        int tooMany = OptionParser.defaultMaxProcesses(processors) + 1;
        assertEquals("processes=" + tooMany + ": more than max-processes=" + (tooMany - 1) + " (the default: 4 x "
                + processors + " processors, at least 8); give max-processes=" + tooMany + " or more to run that many",
                assertThrows(OptionException.class, () -> OptionParser.parse("processes=" + tooMany)).getMessage());
        // a worker runs with its share of the processors: the cap is the parent's to check, not the worker's
        assertEquals(tooMany, OptionParser.parseInWorker("processes=" + tooMany).supervisor().processes());
    }

    @Test
    void tcpIdleTimeoutIsOffUnlessGiven() throws OptionException {
        assertEquals(Duration.ZERO, OptionParser.parse(null).proxy().tcpIdleTimeout());
        assertEquals(Duration.ZERO, OptionParser.parse("tcp-idle-timeout=off").proxy().tcpIdleTimeout());
        assertEquals(Duration.ofMinutes(5), OptionParser.parse("tcp-idle-timeout=5m").proxy().tcpIdleTimeout());
        assertEquals(Duration.ZERO, OptionParser.parse("balancer=kernel,tcp-idle-timeout=off").proxy().tcpIdleTimeout());
    }

    @Test
    void kernelBalancingKeepsTheOptionsThatNeedNoProxy() throws OptionException {
        assertEquals(Options.Balancing.PROXY, OptionParser.parse(null).proxy().balancer());
        assertTrue(!OptionParser.parse("balancer=proxy").proxy().kernelBalancing());
        Options kernel = OptionParser.parse("balancer=kernel,processes=3,port=8080,mode=tcp,sticky=off,max-connections=0,"
                + "health=tcp,shutdown-timeout=5s,admin=9090,max-memory=1g,ready-timeout=20s");
        assertTrue(kernel.proxy().kernelBalancing());
        assertEquals(3, kernel.supervisor().processes());
        assertEquals(List.of(8080), kernel.proxy().ports());
        assertTrue(kernel.proxy().clusters(8080) && !kernel.proxy().clusters(8081));
        assertEquals(Duration.ofSeconds(5), kernel.supervisor().shutdownTimeout());
    }

    @Test
    void proxyProtocolIsRefusedByTheAgentWithOneLine(@TempDir Path dir) throws IOException {
        String expected = "proxy-protocol=v1: applies to the standalone balancer only (in a cluster the agent in each"
                + " worker gives the app the client's address itself)";
        assertEquals(expected, assertThrows(OptionException.class,
                () -> OptionParser.parse("processes=2,proxy-protocol=v1")).getMessage());
        Path file = dir.resolve("jcluster.properties");
        Files.writeString(file, "proxy-protocol=v1\n");
        assertEquals(expected, assertThrows(OptionException.class,
                () -> OptionParser.parse("config=" + file)).getMessage());
    }

    @Test
    void proxyProtocolTakesV1OrV2InPairsAndIsOffUnlessGiven() throws OptionException {
        assertEquals(Options.ProxyProtocol.OFF, OptionParser.parse("").proxy().proxyProtocol());
        assertEquals(Options.ProxyProtocol.V1,
                OptionParser.parsePairs(List.of(java.util.Map.entry("proxy-protocol", "v1"))).proxy().proxyProtocol());
        assertEquals(Options.ProxyProtocol.V2,
                OptionParser.parsePairs(List.of(java.util.Map.entry("proxy-protocol", "v2"))).proxy().proxyProtocol());
        for (String bad : List.of("off", "v3", "V1", "1", "")) {
            assertEquals("proxy-protocol=" + bad + ": expected v1 or v2", assertThrows(OptionException.class,
                    () -> OptionParser.parsePairs(List.of(java.util.Map.entry("proxy-protocol", bad)))).getMessage());
        }
    }

    @Test
    void pidFileIsAPathOrNothing() throws OptionException {
        assertEquals(null, OptionParser.parse("").service().pidFile());
        assertEquals(Path.of("/run/app/app.pid"), OptionParser.parse("pid-file=/run/app/app.pid").service().pidFile());
        for (String bad : new String[] {"pid-file=/run/app/", "pid-file="}) {
            OptionException e = assertThrows(OptionException.class, () -> OptionParser.parse(bad));
            assertTrue(e.getMessage().startsWith(bad + ": expected the path of a file, in a directory not writable by"
                    + " every user (or with the sticky bit)"), e.getMessage());
        }
    }

    @Test
    void aSingleValuedOptionGivenTwiceIsAnError() {
        OptionException error = assertThrows(OptionException.class,
                () -> OptionParser.parse("processes=2,processes=3"));
        assertEquals("processes=3: processes may be given only once (it was also processes=2)", error.getMessage());
    }

    @Test
    void configFileFillsInAndTheAgentArgumentWins(@TempDir Path dir) throws IOException, OptionException {
        Path file = dir.resolve("cluster.properties");
        Files.writeString(file, "processes=2\nstrategy=random\nport=8080,8443\n");
        Options fromFile = OptionParser.parse("config=" + file);
        assertEquals(2, fromFile.supervisor().processes());
        assertEquals(Strategy.RANDOM, fromFile.proxy().strategy());
        assertEquals(List.of(8080, 8443), fromFile.proxy().ports());

        Options overridden = OptionParser.parse("config=" + file + ",processes=5");
        assertEquals(5, overridden.supervisor().processes());
        assertEquals(Strategy.RANDOM, overridden.proxy().strategy());
    }

    @Test
    void badKeysInTheConfigFileAreReportedLikeArguments(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("cluster.properties");
        Files.writeString(file, "procesess=2\n");
        OptionException error = assertThrows(OptionException.class, () -> OptionParser.parse("config=" + file));
        assertTrue(error.getMessage().startsWith("procesess=2: unknown option"), error.getMessage());
    }

    @Test
    void durationsTakeTheirUnits() throws OptionException {
        assertEquals(Duration.ofMillis(250), OptionValues.duration(Option.SHUTDOWN_TIMEOUT, "250ms"));
        assertEquals(Duration.ofMinutes(5), OptionValues.duration(Option.SHUTDOWN_TIMEOUT, "5m"));
        assertEquals(Duration.ofHours(1), OptionValues.duration(Option.SHUTDOWN_TIMEOUT, "1h"));
    }
}
