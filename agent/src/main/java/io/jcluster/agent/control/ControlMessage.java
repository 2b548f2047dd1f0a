package io.jcluster.agent.control;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The parent-worker protocol, both ends: one text line per message, words separated by single spaces.
 * <pre>
 *   hello &lt;workerId&gt; &lt;pid&gt; &lt;secret&gt;        worker -&gt; parent, first line, proves who is speaking
 *   bound &lt;ip&gt; &lt;requestedPort&gt; &lt;actualPort&gt;  worker -&gt; parent, the app bound ip:requestedPort, it listens on 127.0.0.1:actualPort
 *   unclustered &lt;ip&gt; &lt;port&gt;                 worker -&gt; parent, the app bound ip:port itself (the options exclude it)
 *   stats &lt;rss&gt; &lt;heapUsed&gt; &lt;gcMillis&gt; &lt;threads&gt;  worker -&gt; parent, every second: resident memory and heap in
 *                                          bytes, total GC time (-1 if unknown), live threads
 *   dump                                   parent -&gt; worker, asks for a thread dump
 *   dump-line &lt;text&gt;                       worker -&gt; parent, one line of the dump (text may hold spaces)
 *   dump-end                               worker -&gt; parent, the dump is complete
 *   unlisten                               parent -&gt; worker, balancer=kernel: close the shared listening sockets
 *                                          now (the kernel stops giving this worker new connections)
 *   unshared &lt;ip&gt; &lt;port&gt; &lt;why&gt;              worker -&gt; parent, balancer=kernel: the app's bind of ip:port
 *                                          could not be shared with SO_REUSEPORT (why may hold spaces)
 *   client-address-fallbacks &lt;count&gt;        worker -&gt; parent, when it changed: connections accepted from the
 *                                          parent so far whose client was not found (the app saw 127.0.0.1)
 *   stop-port &lt;ip&gt; &lt;port&gt; &lt;convention&gt; &lt;command&gt;  worker -&gt; parent, the app's server listens for its stop command
 *                                          (convention: tomcat) at ip:port, each worker privately; the parent
 *                                          listens there instead. command: Base64 of its UTF-8 bytes
 * </pre>
 * Each message travels in a frame ({@link ControlConnection}); the Cluster API's messages are binary frames of their
 * own ({@link ClusterFrame}), wrapped here as {@link Cluster}.
 */
public sealed interface ControlMessage permits ControlMessage.Hello, ControlMessage.Bound, ControlMessage.Unclustered,
        ControlMessage.Stats, ControlMessage.DumpRequest, ControlMessage.DumpLine, ControlMessage.DumpEnd,
        ControlMessage.Unlisten, ControlMessage.Unshared, ControlMessage.ClientAddressFallbacks, ControlMessage.StopPort,
        ControlMessage.Cluster {

    /** The line to send, without its line terminator. */
    String encode();

    record Hello(int workerId, long pid, String secret) implements ControlMessage {
        @Override
        public String encode() {
            return "hello " + workerId + " " + pid + " " + secret;
        }
    }

    record Bound(InetSocketAddress requested, int actualPort) implements ControlMessage {
        @Override
        public String encode() {
            return "bound " + requested.getAddress().getHostAddress() + " " + requested.getPort() + " " + actualPort;
        }
    }

    record Unclustered(InetSocketAddress requested) implements ControlMessage {
        @Override
        public String encode() {
            return "unclustered " + requested.getAddress().getHostAddress() + " " + requested.getPort();
        }
    }

    record Stats(long residentBytes, long heapUsedBytes, long gcMillis, int threads) implements ControlMessage {
        @Override
        public String encode() {
            return "stats " + residentBytes + " " + heapUsedBytes + " " + gcMillis + " " + threads;
        }
    }

    record DumpRequest() implements ControlMessage {
        @Override
        public String encode() {
            return "dump";
        }
    }

    /** One line of a thread dump; longer lines are cut to {@link #MAX_TEXT} characters to fit the line limit. */
    record DumpLine(String text) implements ControlMessage {
        public static final int MAX_TEXT = 240;

        public DumpLine {
            text = text.replace('\n', ' ').replace('\r', ' ');
            if (text.length() > MAX_TEXT) {
                text = text.substring(0, MAX_TEXT) + "...";
            }
        }

        @Override
        public String encode() {
            return "dump-line " + text;
        }
    }

    record DumpEnd() implements ControlMessage {
        @Override
        public String encode() {
            return "dump-end";
        }
    }

    record Unlisten() implements ControlMessage {
        @Override
        public String encode() {
            return "unlisten";
        }
    }

    /** A bind that balancer=kernel cannot share; {@code why} is cut like a dump line to fit the line limit. */
    record Unshared(InetSocketAddress requested, String why) implements ControlMessage {
        public Unshared {
            why = new DumpLine(why).text();
        }

        @Override
        public String encode() {
            return "unshared " + requested.getAddress().getHostAddress() + " " + requested.getPort() + " " + why;
        }
    }

    record ClientAddressFallbacks(long count) implements ControlMessage {
        @Override
        public String encode() {
            return "client-address-fallbacks " + count;
        }
    }

    /**
     * Where the app's server listens for its own stop command ({@code <Server port=... shutdown=...>} of Tomcat's
     * server.xml, Jetty's STOP.PORT), and the command (Jetty: STOP.KEY). The command is a password: never in a log line, never in {@link #toString}.
     */
    record StopPort(InetSocketAddress address, String convention, String command) implements ControlMessage {
        /** Tomcat's StandardServer#await: the command is server.xml's shutdown string. */
        public static final String TOMCAT = "tomcat";
        /** Jetty's ShutdownService (STOP.PORT): the command is STOP.KEY. */
        public static final String JETTY = "jetty";
        /** A longer command does not fit a control line (1 KiB) once in Base64; the worker says so instead. */
        public static final int MAX_COMMAND_BYTES = 512;

        public StopPort {
            if (!TOMCAT.equals(convention) && !JETTY.equals(convention)) {
                throw new IllegalArgumentException("unknown stop convention " + convention);
            }
            if (command.getBytes(StandardCharsets.UTF_8).length > MAX_COMMAND_BYTES) {
                throw new IllegalArgumentException("a stop command longer than " + MAX_COMMAND_BYTES + " bytes");
            }
        }

        @Override
        public String encode() {
            return "stop-port " + address.getAddress().getHostAddress() + " " + address.getPort() + " " + convention
                    + " " + Base64.getEncoder().encodeToString(command.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "StopPort[" + address + ", " + convention + "]";
        }
    }

    /** A Cluster API frame; it travels as binary, never as a line. */
    record Cluster(ClusterFrame frame) implements ControlMessage {
        @Override
        public String encode() {
            return "cluster " + frame.getClass().getSimpleName();
        }
    }

    /** Parses one line; a line that is not a well-formed message is a {@link MalformedMessage}. */
    static ControlMessage decode(String line) throws MalformedMessage {
        if (line.startsWith("dump-line ")) {
            return new DumpLine(line.substring("dump-line ".length()));
        }
        if (line.startsWith("stop-port ")) {
            return stopPort(line.split(" ", -1));
        }
        if (line.startsWith("unshared ")) {
            String[] words = line.split(" ", 4);
            expectWords(line, words, 4);
            return new Unshared(new InetSocketAddress(ipLiteral(line, words[1]), port(line, words[2])), words[3]);
        }
        String[] words = line.split(" ", -1);
        switch (words[0]) {
            case "hello":
                expectWords(line, words, 4);
                return new Hello(number(line, words[1]), number(line, words[2]), words[3]);
            case "bound":
                expectWords(line, words, 4);
                return new Bound(new InetSocketAddress(ipLiteral(line, words[1]), port(line, words[2])),
                        port(line, words[3]));
            case "unclustered":
                expectWords(line, words, 3);
                return new Unclustered(new InetSocketAddress(ipLiteral(line, words[1]), port(line, words[2])));
            case "stats":
                expectWords(line, words, 5);
                return new Stats(longNumber(line, words[1]), longNumber(line, words[2]), longNumber(line, words[3]),
                        number(line, words[4]));
            case "dump":
                expectWords(line, words, 1);
                return new DumpRequest();
            case "dump-end":
                expectWords(line, words, 1);
                return new DumpEnd();
            case "client-address-fallbacks":
                expectWords(line, words, 2);
                return new ClientAddressFallbacks(longNumber(line, words[1]));
            case "unlisten":
                expectWords(line, words, 1);
                return new Unlisten();
            default:
                throw new MalformedMessage("unknown message: " + abbreviate(line));
        }
    }

    final class MalformedMessage extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedMessage(String message) {
            super(message);
        }
    }

    /** Its errors never show the command (a password): only the words before it. */
    private static StopPort stopPort(String[] words) throws MalformedMessage {
        if (words.length != 5) {
            throw new MalformedMessage("stop-port: expected 5 words, got " + words.length);
        }
        String line = "stop-port " + words[1] + " " + words[2] + " " + abbreviate(words[3]) + " ...";
        InetSocketAddress address = new InetSocketAddress(ipLiteral(line, words[1]), port(line, words[2]));
        byte[] command;
        try {
            command = Base64.getDecoder().decode(words[4]);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage("stop-port: the command is not Base64");
        }
        try {
            return new StopPort(address, words[3], new String(command, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessage(e.getMessage() + ": " + line);
        }
    }

    private static void expectWords(String line, String[] words, int count) throws MalformedMessage {
        if (words.length != count) {
            throw new MalformedMessage("expected " + count + " words: " + abbreviate(line));
        }
    }

    private static int number(String line, String word) throws MalformedMessage {
        try {
            return Integer.parseInt(word);
        } catch (NumberFormatException e) {
            throw new MalformedMessage("not a number '" + abbreviate(word) + "' in: " + abbreviate(line));
        }
    }

    private static long longNumber(String line, String word) throws MalformedMessage {
        try {
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            throw new MalformedMessage("not a number '" + abbreviate(word) + "' in: " + abbreviate(line));
        }
    }

    private static int port(String line, String word) throws MalformedMessage {
        int port = number(line, word);
        if (port < 1 || port > 65535) {
            throw new MalformedMessage("not a port '" + word + "' in: " + abbreviate(line));
        }
        return port;
    }

    private static InetAddress ipLiteral(String line, String word) throws MalformedMessage {
        // only literals: a host name here would mean a DNS lookup on the parent's control thread
        if (!word.matches("[0-9a-fA-F:.%]+") || word.isEmpty()) {
            throw new MalformedMessage("not an IP address '" + abbreviate(word) + "' in: " + abbreviate(line));
        }
        try {
            return InetAddress.getByName(word);
        } catch (UnknownHostException e) {
            throw new MalformedMessage("not an IP address '" + abbreviate(word) + "' in: " + abbreviate(line));
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
