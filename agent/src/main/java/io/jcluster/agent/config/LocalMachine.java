package io.jcluster.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;

/** The machine this JVM runs on, asked through the JDK. */
final class LocalMachine implements Machine {

    @Override
    public int processors() {
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public String osName() {
        return System.getProperty("os.name", "");
    }

    @Override
    public InetAddress resolve(String host) throws UnknownHostException {
        return InetAddress.getByName(host);
    }

    @Override
    public boolean isRegularFile(Path file) {
        return Files.isRegularFile(file);
    }

    @Override
    public boolean isReadable(Path file) {
        return Files.isReadable(file);
    }

    @Override
    public Reader open(Path file) throws IOException {
        return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    @Override
    public FileFacts describe(Path file) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
        return new FileFacts(attributes.isRegularFile(), attributes.size(), attributes.permissions());
    }

    @Override
    public byte[] read(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
