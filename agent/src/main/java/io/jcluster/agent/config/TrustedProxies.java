package io.jcluster.agent.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * trusted-proxies=CIDR,...: the peers whose forwarding headers (X-Forwarded-For, Forwarded, X-Forwarded-Proto, ...)
 * the app may believe, because they are proxies of the operator's own in front of jcluster (nginx's
 * {@code set_real_ip_from}). Every other peer is a client, and what it claims about itself is replaced.
 *
 * <p>The ranges are kept as masked numbers in two flat arrays, so a check is a few integer comparisons; it runs
 * once per client connection.
 */
public final class TrustedProxies {

    /** No peer is trusted (the default). */
    public static final TrustedProxies NONE = new TrustedProxies(new int[0], new long[0], "none");

    /** network, mask, network, mask, ... */
    private final int[] v4;
    /** network high, network low, mask high, mask low, ... */
    private final long[] v6;
    private final String text;

    private TrustedProxies(int[] v4, long[] v6, String text) {
        this.v4 = v4;
        this.v6 = v6;
        this.text = text;
    }

    /**
     * @param values addresses and CIDR ranges, IPv4 ({@code 10.0.0.0/8}, {@code 192.168.1.5}) or IPv6
     *               ({@code fd00::/8}, {@code [::1]}); {@code none} alone is the empty list
     */
    static TrustedProxies parse(List<String> values) throws OptionException {
        if (values.size() == 1 && values.get(0).equals("none")) {
            return NONE;
        }
        int[] v4 = new int[0];
        long[] v6 = new long[0];
        List<String> shown = new ArrayList<>();
        for (String value : values) {
            String range = value.trim();
            int slash = range.indexOf('/');
            String host = slash < 0 ? range : range.substring(0, slash);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            byte[] address = literal(value, host);
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String length = range.substring(slash + 1);
                if (!length.matches("\\d{1,3}") || Integer.parseInt(length) > bits) {
                    throw bad(value, "the prefix length must be 0-" + bits + " for an IPv" + (bits == 32 ? 4 : 6)
                            + " address");
                }
                prefix = Integer.parseInt(length);
            }
            if (bits == 32) {
                int network = toInt(address, 0);
                int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                if ((network & ~mask) != 0) {
                    throw hostBitsSet(value, host, prefix, network & mask);
                }
                v4 = Arrays.copyOf(v4, v4.length + 2);
                v4[v4.length - 2] = network;
                v4[v4.length - 1] = mask;
                shown.add(text(address) + "/" + prefix);
            } else {
                long high = toLong(address, 0);
                long low = toLong(address, 8);
                long maskHigh = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
                long maskLow = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
                if ((high & ~maskHigh) != 0 || (low & ~maskLow) != 0) {
                    byte[] masked = new byte[16];
                    for (int i = 0; i < 16; i++) {
                        long part = i < 8 ? high & maskHigh : low & maskLow;
                        masked[i] = (byte) (part >>> (8 * (7 - i % 8)));
                    }
                    throw hostBitsSet(value, host, prefix, masked);
                }
                v6 = Arrays.copyOf(v6, v6.length + 4);
                v6[v6.length - 4] = high;
                v6[v6.length - 3] = low;
                v6[v6.length - 2] = maskHigh;
                v6[v6.length - 1] = maskLow;
                shown.add(text(address) + "/" + prefix);
            }
        }
        return new TrustedProxies(v4, v6, String.join(",", shown));
    }

    /**
     * The values of trusted-proxies= as given, null when not given. Each value may itself be a comma-separated list
     * ({@code --trusted-proxies 10.0.0.0/8,192.168.1.5} of the standalone balancer).
     */
    static TrustedProxies fromOption(List<String> values, Options.Mode mode) throws OptionException {
        if (values == null) {
            return TrustedProxies.NONE;
        }
        List<String> ranges = new ArrayList<>();
        for (String value : values) {
            for (String range : value.split(",")) {
                if (!range.isBlank()) {
                    ranges.add(range.trim());
                }
            }
        }
        if (ranges.isEmpty()) {
            throw OptionException.badValue(Option.TRUSTED_PROXIES, String.join(",", values));
        }
        TrustedProxies trusted = TrustedProxies.parse(ranges);
        if (mode == Options.Mode.TCP && !trusted.isEmpty()) {
            throw new OptionException("trusted-proxies=" + String.join(",", ranges) + ": needs mode=http or grpc"
                    + " (in tcp mode the balancer does not read requests, so it neither adds nor removes forwarding"
                    + " headers)");
        }
        return trusted;
    }

    /** Whether a connection from {@code peer} comes from a trusted proxy. */
    public boolean contains(InetAddress peer) {
        byte[] address = peer.getAddress();
        if (peer instanceof Inet4Address) {
            return containsV4(toInt(address, 0));
        }
        if (isV4Mapped(address)) { // ::ffff:a.b.c.d, an IPv4 client on a dual-stack socket
            return containsV4(toInt(address, 12));
        }
        long high = toLong(address, 0);
        long low = toLong(address, 8);
        for (int i = 0; i < v6.length; i += 4) {
            if ((high & v6[i + 2]) == v6[i] && (low & v6[i + 3]) == v6[i + 1]) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return v4.length == 0 && v6.length == 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TrustedProxies that && Arrays.equals(v4, that.v4) && Arrays.equals(v6, that.v6);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(v4) + Arrays.hashCode(v6);
    }

    /** The ranges as given, normalised: {@code 10.0.0.0/8,192.168.1.5/32}, or {@code none}. */
    @Override
    public String toString() {
        return text;
    }

    private boolean containsV4(int address) {
        for (int i = 0; i < v4.length; i += 2) {
            if ((address & v4[i + 1]) == v4[i]) {
                return true;
            }
        }
        return false;
    }

    /**
     * An IP literal only, never a name to resolve: a dotted quad of decimal numbers, or an IPv6 literal (which the
     * JDK parses without a lookup). IPv4-mapped IPv6 literals are refused: write the IPv4 range.
     */
    private static byte[] literal(String value, String host) throws OptionException {
        if (host.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            byte[] address = new byte[4];
            String[] parts = host.split("\\.");
            for (int i = 0; i < 4; i++) {
                int part = Integer.parseInt(parts[i]);
                if (part > 255 || parts[i].length() > 1 && parts[i].startsWith("0")) {
                    throw bad(value, "not an IPv4 address (four numbers 0-255, no leading zeros)");
                }
                address[i] = (byte) part;
            }
            return address;
        }
        if (host.indexOf(':') >= 0 && host.matches("[0-9A-Fa-f:.]+")) {
            try {
                InetAddress parsed = InetAddress.getByName(host);
                if (parsed instanceof Inet6Address) {
                    return parsed.getAddress();
                }
                throw bad(value, "an IPv4-mapped IPv6 address; write the IPv4 address or range instead");
            } catch (UnknownHostException e) {
                throw bad(value, "not an IPv6 address");
            }
        }
        throw bad(value, "not an IP address or CIDR range (host names are not accepted)");
    }

    private static OptionException bad(String value, String why) {
        return new OptionException(Option.TRUSTED_PROXIES.key() + "=" + value + ": " + why + "; expected "
                + Option.TRUSTED_PROXIES.accepts());
    }

    private static OptionException hostBitsSet(String value, String host, int prefix, int network) {
        byte[] masked = {(byte) (network >>> 24), (byte) (network >>> 16), (byte) (network >>> 8), (byte) network};
        return hostBitsSet(value, host, prefix, masked);
    }

    private static OptionException hostBitsSet(String value, String host, int prefix, byte[] network) {
        String range = text(network) + "/" + prefix;
        return new OptionException(Option.TRUSTED_PROXIES.key() + "=" + value + ": " + host
                + " has bits set past the /" + prefix + " prefix; write the range as " + range
                + " (or the single address without a prefix)");
    }

    private static String text(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }

    private static boolean isV4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    private static int toInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    private static long toLong(byte[] b, int at) {
        return (long) toInt(b, at) << 32 | toInt(b, at + 4) & 0xffffffffL;
    }
}
