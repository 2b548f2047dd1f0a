package samples.web;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * A WebSocket echo server (RFC 6455) on a plain blocking ServerSocket, a thread per connection. Echoes every
 * text and binary message; the text message "pid" is answered with the pid of the process.
 */
public final class WebSocketEcho {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketEcho() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        ServerSocket server = new ServerSocket(port);
        System.out.println("websocket echo listening on port " + port);
        while (true) {
            Socket socket = server.accept();
            Thread connection = new Thread(() -> serve(socket), "ws-" + socket.getPort());
            connection.setDaemon(true);
            connection.start();
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String key = handshake(in);
            if (key == null) {
                out.write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                return;
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\nX-Pid: " + ProcessHandle.current().pid()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            echo(in, out);
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Reads the upgrade request; returns its Sec-WebSocket-Key, or null if it is not a WebSocket upgrade. */
    private static String handshake(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > 16 * 1024) {
                return null;
            }
            head.append((char) b);
        }
        String key = null;
        boolean upgrade = false;
        for (String line : head.toString().split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("sec-websocket-key:")) {
                key = line.substring(line.indexOf(':') + 1).trim();
            } else if (lower.startsWith("upgrade:") && lower.contains("websocket")) {
                upgrade = true;
            }
        }
        return upgrade ? key : null;
    }

    private static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void echo(DataInputStream in, OutputStream out) throws IOException {
        byte[] message = new byte[0];
        int messageOpcode = 0;
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            boolean fin = (first & 0x80) != 0;
            int opcode = first & 0x0F;
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = new byte[4];
            if ((second & 0x80) != 0) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
            switch (opcode) {
                case 0x8: // close: answer it and end
                    send(out, 0x8, payload);
                    return;
                case 0x9: // ping
                    send(out, 0xA, payload);
                    continue;
                case 0xA: // pong
                    continue;
                case 0x0: // continuation
                    message = concat(message, payload);
                    break;
                default:
                    messageOpcode = opcode;
                    message = payload;
            }
            if (fin) {
                if (messageOpcode == 0x1 && new String(message, StandardCharsets.UTF_8).equals("pid")) {
                    message = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8);
                }
                send(out, messageOpcode, message);
                message = new byte[0];
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A server frame: never masked, always whole. */
    private static synchronized void send(OutputStream out, int opcode, byte[] payload) throws IOException {
        int length = payload.length;
        byte[] header;
        if (length < 126) {
            header = new byte[] {(byte) (0x80 | opcode), (byte) length};
        } else if (length < 65536) {
            header = new byte[] {(byte) (0x80 | opcode), 126, (byte) (length >> 8), (byte) length};
        } else {
            header = new byte[10];
            header[0] = (byte) (0x80 | opcode);
            header[1] = 127;
            for (int i = 0; i < 8; i++) {
                header[9 - i] = (byte) ((long) length >> (8 * i));
            }
        }
        out.write(header);
        out.write(payload);
        out.flush();
    }
}
