package samples.proxyprotocol;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A backend behind a balancer that sends the PROXY protocol (HAProxy's proxy-protocol.txt, v1 or v2, told apart by
 * the first byte): {@code java -cp samples.jar samples.proxyprotocol.ProxyProtocolServer PORT}. Every connection
 * that sends anything must start with a header; one without is closed (and said so on stdout). Then HTTP/1.1 with keep-alive: every
 * GET answers {@code peer <address> <port>} with the client the header named (X-Pid: this process), so a client
 * can check that it is the one its request was relayed for. Binds 127.0.0.1.
 */
public final class ProxyProtocolServer {

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyProtocolServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        long pid = ProcessHandle.current().pid();
        ServerSocket server = new ServerSocket(port, 200, InetAddress.getLoopbackAddress());
        System.out.println("proxy protocol server listening on port " + port);
        while (true) {
            Socket connection = server.accept();
            Thread thread = new Thread(() -> serve(connection, pid), "connection");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static void serve(Socket connection, long pid) {
        try (connection) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(connection.getInputStream()));
            String client;
            try {
                client = readHeader(in);
                if (client == null) {
                    return; // a connect and nothing else: a balancer's probe whether the port listens
                }
            } catch (IOException e) {
                System.out.println("refused a connection without a valid PROXY header: " + e.getMessage());
                return;
            }
            OutputStream out = connection.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                byte[] body = ("peer " + client + "\n").getBytes(StandardCharsets.UTF_8);
                boolean close = head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close");
                out.write(("HTTP/1.1 200 OK\r\nX-Pid: " + pid + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                        + "Content-Length: " + body.length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (IOException e) {
            // the balancer closed the connection
        }
    }

    /** The client named by the header: "address port"; null when the connection closed before any byte. */
    private static String readHeader(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        if (first == 'P') {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            line.write(first);
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0 || line.size() > 107) {
                    throw new IOException("v1 header cut or too long: " + line);
                }
                line.write(b);
            }
            String[] parts = line.toString(StandardCharsets.US_ASCII).trim().split(" ");
            if (parts.length != 6 || !parts[0].equals("PROXY") || !(parts[1].equals("TCP4") || parts[1].equals("TCP6"))) {
                throw new IOException("not a v1 PROXY TCP4/TCP6 line: " + line);
            }
            return InetAddress.getByName(parts[2]).getHostAddress() + " " + Integer.parseInt(parts[4]);
        }
        if (first == V2_SIGNATURE[0]) {
            byte[] signature = new byte[12];
            signature[0] = (byte) first;
            in.readFully(signature, 1, 11);
            if (!Arrays.equals(signature, V2_SIGNATURE)) {
                throw new IOException("bad v2 signature");
            }
            int command = in.readUnsignedByte();
            int family = in.readUnsignedByte();
            int length = in.readUnsignedShort();
            byte[] rest = new byte[length];
            in.readFully(rest);
            if (command != 0x21 || (family != 0x11 && family != 0x21)) {
                throw new IOException(String.format("v2 command 0x%02x family 0x%02x: not PROXY over TCP", command, family));
            }
            int size = family == 0x11 ? 4 : 16;
            InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(rest, 0, size));
            int sourcePort = ((rest[2 * size] & 0xff) << 8) | (rest[2 * size + 1] & 0xff);
            return source.getHostAddress() + " " + sourcePort;
        }
        throw new IOException("first byte " + first + " starts no PROXY header");
    }

    /** The next request's head (request line and headers), or null at the end of the connection. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            last4 = (last4 << 8) | b;
            if (last4 == 0x0D0A0D0A) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 65536) {
                throw new IOException("request head too long");
            }
        }
        return null;
    }
}
