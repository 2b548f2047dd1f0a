package io.jcluster.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Everything about the machine that the options depend on: its processors (processes=auto, the default
 * max-processes), its OS (balancer=kernel), name resolution (admin=host:port) and the files the options name
 * (config, tls-cert, tls-key, admin-token-file). Parsing asks it nothing; {@link OptionChecks}, the config file
 * and {@link AdminToken} ask it through this interface, so that a test can hand them a fake machine.
 */
interface Machine {

    /** This JVM's machine. */
    Machine LOCAL = new LocalMachine();

    /** The processors this JVM may use, container limits included. */
    int processors();

    /** The {@code os.name} system property: "Linux", "Mac OS X", ... */
    String osName();

    InetAddress resolve(String host) throws UnknownHostException;

    boolean isRegularFile(Path file);

    /** Whether this user may read {@code file}. */
    boolean isReadable(Path file);

    /** A UTF-8 text file, for reading. */
    Reader open(Path file) throws IOException;

    /**
     * What a small secret file is before it is read.
     *
     * @throws UnsupportedOperationException on a file system without POSIX permissions
     */
    FileFacts describe(Path file) throws IOException;

    byte[] read(Path file) throws IOException;

    /** The attributes of a file that tell whether it can hold a secret. */
    record FileFacts(boolean regularFile, long size, Set<PosixFilePermission> permissions) {
    }
}
