package io.jcluster.agent.service;

import java.nio.charset.StandardCharsets;

/**
 * The socket named by {@code NOTIFY_SOCKET}, as the bytes of a {@code sockaddr_un}'s {@code sun_path}: a file system
 * path ({@code /run/systemd/notify}), or a name in Linux's abstract namespace ({@code @name}: a leading NUL byte, then
 * the name, no terminating NUL; sd_notify(3)). Other forms (systemd 254's {@code vsock:}) are not supported.
 */
final class NotifyAddress {

    /** {@code sun_path} holds 108 bytes; a path needs its terminating NUL, an abstract name does not. */
    static final int SUN_PATH = 108;

    private NotifyAddress() {
    }

    /** The {@code sun_path} bytes; throws with a line to log when {@code value} names no unix socket we can reach. */
    static byte[] parse(String value) {
        if (value.startsWith("/")) {
            byte[] path = value.getBytes(StandardCharsets.UTF_8);
            if (path.length > SUN_PATH - 1 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NOTIFY_SOCKET=" + value + ": longer than a unix socket path may be ("
                        + (SUN_PATH - 1) + " bytes)");
            }
            return path;
        }
        if (value.startsWith("@") && value.length() > 1) {
            byte[] name = value.substring(1).getBytes(StandardCharsets.UTF_8);
            if (name.length > SUN_PATH - 1) {
                throw new IllegalArgumentException("NOTIFY_SOCKET=" + value + ": longer than an abstract unix socket"
                        + " name may be (" + (SUN_PATH - 1) + " bytes)");
            }
            byte[] address = new byte[name.length + 1]; // address[0] = 0: the abstract namespace
            System.arraycopy(name, 0, address, 1, name.length);
            return address;
        }
        throw new IllegalArgumentException("NOTIFY_SOCKET=" + value + ": not a unix socket path (/...) or an abstract"
                + " socket name (@...); jcluster sends systemd nothing");
    }
}
