package io.jcluster.agent.http.proxy;

import io.jcluster.agent.config.OptionParser;
import io.jcluster.agent.config.Options;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jcluster.agent.http.proxy.PooledWorker.ascii;
import static io.jcluster.agent.http.proxy.PooledWorker.drain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A SIGHUP's new http settings: connections accepted after it get them, open ones keep theirs (the deadlines compare
 * with System.nanoTime(), so the test waits 150 ms past a 50 ms timeout, as ExchangeDeadlinesTest does).
 */
class HttpFrontendReconfigureTest {

    private final FakeUpstream upstream = new FakeUpstream(1);

    private static Options options(String argument) throws Exception {
        return OptionParser.parse("mode=http," + argument);
    }

    private EmbeddedChannel accept(HttpFrontend frontend) {
        EmbeddedChannel client = new EmbeddedChannel();
        client.config().setAutoRead(false);
        frontend.serve(client, upstream);
        return client;
    }

    @Test
    void aShorterHeaderTimeoutAppliesToConnectionsAcceptedAfterIt() throws Exception {
        HttpFrontend frontend = HttpFrontend.of(options("header-timeout=10s"), true);
        EmbeddedChannel before = accept(frontend);
        frontend.reconfigure(options("header-timeout=50ms"));
        EmbeddedChannel after = accept(frontend);
        before.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\n"));
        after.writeInbound(ascii("GET /a HTTP/1.1\r\nHost: x\r\n"));
        Thread.sleep(150);
        before.runPendingTasks();
        after.runPendingTasks();
        String answer = drain(after);
        assertTrue(answer.startsWith("HTTP/1.1 408 ") && answer.contains("header-timeout=50ms"), answer);
        assertFalse(after.isOpen());
        assertEquals("", drain(before), "accepted before the change: header-timeout=10s still");
        assertTrue(before.isOpen());
    }

    @Test
    void aShorterIdleTimeoutClosesNewKeepAliveConnectionsNotOldOnes() throws Exception {
        HttpFrontend frontend = HttpFrontend.of(options("idle-timeout=60s"), true);
        EmbeddedChannel before = accept(frontend);
        frontend.reconfigure(options("idle-timeout=50ms"));
        EmbeddedChannel after = accept(frontend);
        Thread.sleep(150);
        before.runPendingTasks();
        after.runPendingTasks();
        assertFalse(after.isOpen(), "idle-timeout=50ms");
        assertTrue(before.isOpen(), "a connection keeps the settings it was accepted with");
    }

    @Test
    void everyRunTimeSettingIsTakenAndTheLearnedStickinessKeptWhileStickyIsUnchanged() throws Exception {
        HttpFrontend frontend = HttpFrontend.of(options("sticky=JSESSIONID"), true);
        HttpSettings first = frontend.settings();
        frontend.reconfigure(options("sticky=JSESSIONID,header-timeout=2s,idle-timeout=3s,response-timeout=4s,"
                + "body-timeout=5s,send-timeout=7s,queue-timeout=6s,h2c-upgrade=pass,trusted-proxies=10.0.0.0/8,"
                + "cache-status-header=off"));
        HttpSettings next = frontend.settings();
        assertEquals(Duration.ofSeconds(2), next.headerTimeout());
        assertEquals(Duration.ofSeconds(3), next.idleTimeout());
        assertEquals(Duration.ofSeconds(4), next.responseTimeout());
        assertEquals(Duration.ofSeconds(5), next.bodyTimeout());
        assertEquals(Duration.ofSeconds(7), next.sendTimeout());
        assertEquals(Duration.ofSeconds(6), next.queueTimeout());
        assertTrue(next.passH2c());
        assertTrue(next.trustedProxies().contains(java.net.InetAddress.getByName("10.1.2.3")));
        assertFalse(next.cacheStatusHeader());
        assertSame(first.stickiness(), next.stickiness(), "the sessions it learned stay");
        frontend.reconfigure(options("sticky=cookie"));
        assertNotSame(first.stickiness(), frontend.settings().stickiness());
    }

    /** A renewed certificate is taken on SIGHUP (as nginx's reload does); broken files keep the running one. */
    @Test
    void aSighupReadsTheCertificateFilesAgainAndKeepsTheRunningOneIfTheyAreBroken(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TlsContextTest.selfSigned("rsa:2048", "first", cert, key);
        String tls = "tls-cert=" + cert + ",tls-key=" + key;
        HttpFrontend frontend = HttpFrontend.of(options(tls), true);
        SslContext first = frontend.settings().tls();
        TlsContextTest.selfSigned("rsa:2048", "renewed", cert, key);
        frontend.reconfigure(options(tls));
        SslContext renewed = frontend.settings().tls();
        assertNotSame(first, renewed, "the files were read again");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
        frontend.reconfigure(options(tls));
        assertSame(renewed, frontend.settings().tls(), "a key that cannot be used keeps the running certificate");
    }
}
