package io.continuum.notification.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket client on a plain TCP socket that writes whatever frame bytes a test asks for, for the cases a real
 * client library refuses to produce (unmasked frames, reserved opcodes, invalid UTF-8, bad close codes, oversized
 * frames and fragments). It reads server frames until the close frame and reports its code.
 */
public final class RawWs implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    /** The status line of the upgrade answer, e.g. {@code HTTP/1.1 101 Switching Protocols}. */
    public final String status;
    /** The whole head of the upgrade answer (status line and headers). */
    public final String head;

    private RawWs(Socket socket, String head) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
        this.head = head;
        this.status = head.split("\r\n")[0];
    }

    /** Sends the upgrade request; {@code protocols} (may be null) is the Sec-WebSocket-Protocol header. */
    public static RawWs open(URL root, String token, String device, String protocols) throws IOException {
        Socket s = new Socket(root.getHost(), root.getPort());
        s.setSoTimeout(15_000);
        String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        String req = "GET /ws HTTP/1.1\r\nHost: " + root.getHost() + ":" + root.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + token + "\r\nX-Device-Id: " + device + "\r\n"
                + (protocols == null ? "" : "Sec-WebSocket-Protocol: " + protocols + "\r\n") + "\r\n";
        s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return new RawWs(s, head.toString());
    }

    /** Reads server frames until a text frame containing {@code text} arrives. */
    public void awaitText(String text) throws IOException {
        while (true) {
            int[] opcode = new int[1];
            byte[] payload = readFrame(opcode);
            if (opcode[0] == 0x1 && new String(payload, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            if (opcode[0] == 0x8) {
                throw new IOException("closed while waiting for " + text);
            }
        }
    }

    /** One frame: FIN flag, opcode, payload, masked (as a client must) unless {@code masked} is false. */
    public RawWs frame(boolean fin, int opcode, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length <= 0xFFFF) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        } else {
            f.write(maskBit | 127);
            long len = payload.length;
            for (int i = 7; i >= 0; i--) {
                f.write((int) (len >>> (8 * i)) & 0xFF);
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            byte[] key = {0x11, 0x22, 0x33, 0x44};
            f.write(key);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= key[i % 4];
            }
        }
        f.write(body);
        try {
            out.write(f.toByteArray());
            out.flush();
        } catch (IOException e) {
            // the server may close before reading everything: the close code tells what happened
        }
        return this;
    }

    public RawWs text(String text) throws IOException {
        return frame(true, 0x1, text.getBytes(StandardCharsets.UTF_8), true);
    }

    /**
     * Reads frames until the server's close frame: its status code, or -1 when the TCP connection ended without one.
     */
    public int awaitCloseCode() {
        try {
            while (true) {
                int[] opcode = new int[1];
                byte[] payload = readFrame(opcode);
                if (opcode[0] == 0x8) {
                    return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                }
            }
        } catch (IOException e) {
            return -1;
        }
    }

    private byte[] readFrame(int[] opcode) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        opcode[0] = b0 & 0x0F;
        return payload;
    }

    public void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
