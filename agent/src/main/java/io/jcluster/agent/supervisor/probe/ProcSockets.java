package io.jcluster.agent.supervisor.probe;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets one process holds, read from Linux's /proc: its file descriptors ({@code /proc/PID/fd}, links
 * {@code socket:[inode]}) matched against the socket tables of its network namespace ({@code /proc/PID/net/tcp}
 * and {@code tcp6}). With balancer=kernel every worker listens on the same port, so a probe connecting to it would
 * reach whichever worker the kernel picks; this asks about one process instead.
 */
public final class ProcSockets {

    private static final String LISTEN = "0A";
    private static final String ESTABLISHED = "01";
    /** The client closed its side; the server may still be answering. */
    private static final String CLOSE_WAIT = "08";

    private ProcSockets() {
    }

    /** One row of /proc/net/tcp: local port, state (hex, as the kernel writes it), socket inode. */
    record Row(int localPort, String state, long inode) {
    }

    /** Null when {@code pid} holds a listening socket on each of {@code ports}, else what is missing. */
    static String notListening(long pid, Set<Integer> ports) {
        try {
            Set<Long> own = socketInodes(pid);
            Set<Integer> listening = new HashSet<>();
            for (Row row : rows(pid)) {
                if (row.state.equals(LISTEN) && own.contains(row.inode)) {
                    listening.add(row.localPort);
                }
            }
            for (int port : ports) {
                if (!listening.contains(port)) {
                    return "pid " + pid + " holds no listening socket on port " + port;
                }
            }
            return null;
        } catch (IOException e) {
            return "cannot read the sockets of pid " + pid + " from /proc (" + e.getMessage() + ")";
        }
    }

    /** Connections {@code pid} holds that were accepted on one of {@code ports} and are not closed by it yet. */
    public static long connections(long pid, Set<Integer> ports) {
        try {
            Set<Long> own = socketInodes(pid);
            long count = 0;
            for (Row row : rows(pid)) {
                if ((row.state.equals(ESTABLISHED) || row.state.equals(CLOSE_WAIT)) && ports.contains(row.localPort)
                        && own.contains(row.inode)) {
                    count++;
                }
            }
            return count;
        } catch (IOException e) {
            return 0; // the process is gone
        }
    }

    private static Set<Long> socketInodes(long pid) throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    inodes.add(Long.parseLong(target.substring("socket:[".length(), target.length() - 1)));
                }
            }
        }
        return inodes;
    }

    private static List<Row> rows(long pid) throws IOException {
        Path net = Path.of("/proc", Long.toString(pid), "net");
        List<Row> rows = new java.util.ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = net.resolve(table);
            if (!Files.exists(file)) {
                continue; // no IPv6 in this kernel
            }
            List<String> lines = Files.readAllLines(file);
            for (int i = 1; i < lines.size(); i++) {
                Row row = parse(lines.get(i));
                if (row != null) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** {@code sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...}. */
    static Row parse(String line) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 10) {
            return null;
        }
        int colon = fields[1].lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return new Row(Integer.parseInt(fields[1].substring(colon + 1), 16), fields[3], Long.parseLong(fields[9]));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
