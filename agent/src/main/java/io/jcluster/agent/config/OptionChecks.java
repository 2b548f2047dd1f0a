package io.jcluster.agent.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The second step of reading the options, after {@link OptionParser} has checked what they say: whether this machine
 * can do it. The TLS files must be there and readable, balancer=kernel needs Linux, processes=auto and the default
 * max-processes come from the processors, and the admin host must resolve. Everything is asked of a {@link Machine}.
 */
final class OptionChecks {

    private OptionChecks() {
    }

    /**
     * @param parent false in a worker: the checks of the launch as a whole (processes within max-processes) are the
     *               parent's to make
     */
    static Options check(ParsedOptions parsed, Machine machine, boolean parent) throws OptionException {
        Options written = parsed.written();
        HttpOptions http = tls(parsed, machine);
        if (written.proxy().kernelBalancing()) {
            checkLinux(machine);
        }
        SupervisorOptions supervisor = workers(parsed, machine, parent);
        AdminOptions admin = written.admin();
        if (admin.enabled()) {
            admin = admin.withAddress(resolve(admin.address(), parsed.adminValue(), machine));
        }
        return new Options(supervisor, written.proxy(), http, written.health(), admin, written.store(),
                written.service(), written.logs());
    }

    /** The pair is checked after the files, so that a missing file is named before what else it needs. */
    private static HttpOptions tls(ParsedOptions parsed, Machine machine) throws OptionException {
        Path cert = readableFile(Option.TLS_CERT, parsed.tlsCert(), machine);
        Path key = readableFile(Option.TLS_KEY, parsed.tlsKey(), machine);
        if ((cert == null) != (key == null)) {
            Option missing = cert == null ? Option.TLS_CERT : Option.TLS_KEY;
            Option present = cert == null ? Option.TLS_KEY : Option.TLS_CERT;
            String value = cert == null ? parsed.tlsKey() : parsed.tlsCert();
            throw new OptionException(present.key() + "=" + value + ": needs " + missing.key() + " too ("
                    + missing.accepts() + ")");
        }
        if (cert != null && parsed.written().proxy().mode() == Options.Mode.TCP) {
            throw new OptionException("tls-cert=" + parsed.tlsCert() + ": needs mode=http or grpc (in tcp mode TLS"
                    + " passes through to the app untouched)");
        }
        return parsed.written().http().withTls(cert, key);
    }

    /** Only checks that the file is there; what is in it is checked when the parent loads it. */
    private static Path readableFile(Option option, String value, Machine machine) throws OptionException {
        if (value == null) {
            return null;
        }
        Path file = Path.of(value);
        if (!machine.isRegularFile(file)) {
            throw new OptionException(option.key() + "=" + value + ": no such file");
        }
        if (!machine.isReadable(file)) {
            throw new OptionException(option.key() + "=" + value + ": the file is not readable by this user");
        }
        return file.toAbsolutePath();
    }

    private static void checkLinux(Machine machine) throws OptionException {
        String os = machine.osName();
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new OptionException("balancer=kernel: needs Linux (SO_REUSEPORT spreads connections over"
                    + " processes only there; this is " + os + "); use balancer=proxy");
        }
    }

    private static SupervisorOptions workers(ParsedOptions parsed, Machine machine, boolean parent)
            throws OptionException {
        int processors = machine.processors();
        int processes = parsed.processes().orElse(processors);
        boolean chosen = parsed.maxProcesses().isPresent();
        int max = parsed.maxProcesses().orElse(OptionParser.defaultMaxProcesses(processors));
        if (parent && processes > max) {
            throw new OptionException("processes=" + processes + ": more than max-processes=" + max
                    + (chosen ? "" : " (the default: 4 x " + processors + " processors, at least 8)")
                    + "; give max-processes=" + processes + " or more to run that many");
        }
        return parsed.written().supervisor().withProcesses(processes, max);
    }

    private static InetSocketAddress resolve(InetSocketAddress unresolved, String value, Machine machine)
            throws OptionException {
        String host = unresolved.getHostString();
        InetAddress address;
        try {
            address = machine.resolve(host);
        } catch (UnknownHostException e) {
            throw new OptionException("admin=" + value + ": unknown host '" + host + "'");
        }
        return new InetSocketAddress(address, unresolved.getPort());
    }
}
