package io.jcluster.agent.config;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the options ask of the machine, asked of a fake one: processors, OS, host names, files. */
class OptionChecksTest {

    private final FakeMachine machine = new FakeMachine();

    private String failure(String argument) {
        return assertThrows(OptionException.class, () -> OptionParser.parse(argument, machine)).getMessage();
    }

    @Test
    void processesAutoAndTheDefaultMaxProcessesComeFromTheMachinesProcessors() throws OptionException {
        machine.processors = 5;
        SupervisorOptions five = OptionParser.parse(null, machine).supervisor();
        assertEquals(5, five.processes());
        assertEquals(20, five.maxProcesses(), "4 x the processors");
        assertEquals("processes=21: more than max-processes=20 (the default: 4 x 5 processors, at least 8); give"
                + " max-processes=21 or more to run that many", failure("processes=21"));
        assertEquals(21, OptionParser.parseInWorker("processes=21", machine).supervisor().processes(),
                "the cap is the parent's to check");

        machine.processors = 1;
        SupervisorOptions one = OptionParser.parse("processes=auto", machine).supervisor();
        assertEquals(1, one.processes());
        assertEquals(8, one.maxProcesses(), "at least 8");
        assertEquals(12, OptionParser.parse("processes=12,max-processes=12", machine).supervisor().maxProcesses());
    }

    @Test
    void balancerKernelIsRefusedOffLinuxWithTheLineItAlwaysHad() throws OptionException {
        machine.osName = "Mac OS X";
        assertEquals("balancer=kernel: needs Linux (SO_REUSEPORT spreads connections over processes only there;"
                + " this is Mac OS X); use balancer=proxy", failure("balancer=kernel"));
        assertFalse(OptionParser.parse("balancer=proxy", machine).proxy().kernelBalancing());

        machine.osName = "Linux";
        assertTrue(OptionParser.parse("balancer=kernel", machine).proxy().kernelBalancing());
    }

    @Test
    void theAdminHostIsResolvedByTheMachineAndAnUnknownOneIsNamed() throws Exception {
        machine.host("admin.internal", "10.1.2.3").host("127.0.0.1", "127.0.0.1");
        assertEquals(new InetSocketAddress("10.1.2.3", 9090),
                OptionParser.parse("admin=admin.internal:9090", machine).admin().address());
        assertEquals(new InetSocketAddress("127.0.0.1", 9091),
                OptionParser.parse("admin=9091", machine).admin().address());
        assertEquals("admin=nosuch.internal:9090: unknown host 'nosuch.internal'", failure("admin=nosuch.internal:9090"));
        assertNull(OptionParser.parse("admin=off", machine).admin().address());
    }

    @Test
    void tlsFilesAreLookedForOnTheMachine() throws OptionException {
        machine.file("/certs/cert.pem", "c").file("/certs/key.pem", "k");
        HttpOptions http = OptionParser.parse("mode=http,tls-cert=/certs/cert.pem,tls-key=/certs/key.pem", machine)
                .http();
        assertEquals(Path.of("/certs/cert.pem"), http.tlsCert());
        assertEquals(Path.of("/certs/key.pem"), http.tlsKey());

        machine.unreadable.add(Path.of("/certs/key.pem"));
        assertEquals("tls-key=/certs/key.pem: the file is not readable by this user",
                failure("mode=http,tls-cert=/certs/cert.pem,tls-key=/certs/key.pem"));
        assertEquals("tls-cert=/certs/other.pem: no such file", failure("mode=http,tls-cert=/certs/other.pem"));
    }

    @Test
    void theTokenFileIsReadFromTheMachine() throws Exception {
        Path token = Path.of("/run/secrets/token");
        machine.file(token.toString(), " s3cret\n").host("127.0.0.1", "127.0.0.1");
        List<String> warnings = new ArrayList<>();
        AdminOptions admin = OptionParser.parse("admin=9090,admin-token-file=" + token, machine).admin();
        assertEquals("s3cret", AdminToken.resolve(admin, Map.of(), warnings::add, machine));
        assertEquals(List.of(), warnings);

        machine.permissions.put(token, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("s3cret", AdminToken.resolve(admin, Map.of(), warnings::add, machine));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("admin-token-file=/run/secrets/token is readable by other users (mode"
                + " rw-r-----)"), warnings.get(0));

        // mode 000 is still readable by root; its empty permission set must not crash the parent
        // (a HashSet, as the JDK's Linux file system returns it: EnumSet.copyOf throws only for other empty sets)
        machine.permissions.put(token, new java.util.HashSet<>());
        assertEquals("s3cret", AdminToken.resolve(admin, Map.of(), warnings::add, machine));
        assertEquals(1, warnings.size(), "no new warning for a file nobody else can read: " + warnings);

        machine.unreadable.add(token);
        assertEquals("admin-token-file=/run/secrets/token: the file is not readable by this user",
                assertThrows(OptionException.class, () -> AdminToken.resolve(admin, Map.of(), s -> { }, machine))
                        .getMessage());
        machine.withoutPermissions.add(token);
        assertEquals("admin-token-file=/run/secrets/token: cannot read its permissions on this file system",
                assertThrows(OptionException.class, () -> AdminToken.resolve(admin, Map.of(), s -> { }, machine))
                        .getMessage());
        machine.files.remove(token);
        machine.withoutPermissions.clear();
        assertEquals("admin-token-file=/run/secrets/token: no such file",
                assertThrows(OptionException.class, () -> AdminToken.resolve(admin, Map.of(), s -> { }, machine))
                        .getMessage());
    }

    @Test
    void theConfigFileIsReadFromTheMachine() throws OptionException {
        machine.file("/etc/jcluster.properties", "processes=2\nstrategy=random\n");
        Options options = OptionParser.parse("config=/etc/jcluster.properties,strategy=round-robin", machine);
        assertEquals(2, options.supervisor().processes());
        assertEquals(Strategy.ROUND_ROBIN, options.proxy().strategy(), "the argument wins");
        assertEquals("config=/etc/other.properties: file not found", failure("config=/etc/other.properties"));
    }

    @Test
    void parsingAsksTheMachineNothingAndItsValueErrorsComeFirst() throws OptionException {
        ParsedOptions parsed = OptionParser.values(OptionSources.split("mode=http,strategy=random,admin=far.away:9090,"
                + "tls-cert=/no/cert,tls-key=/no/key,balancer=proxy,processes=auto"));
        assertEquals(List.of(), machine.asked);
        assertTrue(parsed.written().admin().address().isUnresolved());
        assertEquals("/no/cert", parsed.tlsCert());
        assertTrue(parsed.processes().isEmpty(), "auto: the processors are the machine's to say");

        machine.osName = "Mac OS X";
        assertEquals("log=json: expected prefix or inherit", failure("tls-cert=/no/cert,admin=far.away:9090,log=json"));
        assertEquals("log=json: expected prefix or inherit", failure("balancer=kernel,log=json"));
        assertEquals(List.of(), machine.asked, "a value error is found before the machine is asked");
    }
}
