package io.jcluster.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A machine made up by a test: its processors, OS, host names and files; it notes what it was asked. */
final class FakeMachine implements Machine {

    int processors = 4;
    String osName = "Linux";
    final Map<String, InetAddress> hosts = new HashMap<>();
    final Map<Path, String> files = new HashMap<>();
    final Set<Path> unreadable = new HashSet<>();
    final Map<Path, Set<PosixFilePermission>> permissions = new HashMap<>();
    /** Files on a file system without POSIX permissions. */
    final Set<Path> withoutPermissions = new HashSet<>();
    final List<String> asked = new ArrayList<>();

    FakeMachine file(String path, String content) {
        files.put(Path.of(path), content);
        return this;
    }

    FakeMachine host(String name, String address) throws UnknownHostException {
        hosts.put(name, InetAddress.getByName(address));
        return this;
    }

    @Override
    public int processors() {
        asked.add("processors");
        return processors;
    }

    @Override
    public String osName() {
        asked.add("osName");
        return osName;
    }

    @Override
    public InetAddress resolve(String host) throws UnknownHostException {
        asked.add("resolve " + host);
        InetAddress address = hosts.get(host);
        if (address == null) {
            throw new UnknownHostException(host);
        }
        return address;
    }

    @Override
    public boolean isRegularFile(Path file) {
        asked.add("isRegularFile " + file);
        return files.containsKey(file);
    }

    @Override
    public boolean isReadable(Path file) {
        asked.add("isReadable " + file);
        return files.containsKey(file) && !unreadable.contains(file);
    }

    @Override
    public Reader open(Path file) throws IOException {
        asked.add("open " + file);
        return new StringReader(new String(read(file), StandardCharsets.UTF_8));
    }

    @Override
    public FileFacts describe(Path file) throws IOException {
        asked.add("describe " + file);
        if (withoutPermissions.contains(file)) {
            throw new UnsupportedOperationException("no POSIX attributes");
        }
        String content = files.get(file);
        if (content == null) {
            throw new NoSuchFileException(file.toString());
        }
        return new FileFacts(true, content.getBytes(StandardCharsets.UTF_8).length,
                permissions.getOrDefault(file, PosixFilePermissions.fromString("rw-------")));
    }

    @Override
    public byte[] read(Path file) throws IOException {
        String content = files.get(file);
        if (content == null) {
            throw new NoSuchFileException(file.toString());
        }
        if (unreadable.contains(file)) {
            throw new AccessDeniedException(file.toString());
        }
        return content.getBytes(StandardCharsets.UTF_8);
    }
}
