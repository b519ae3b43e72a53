package dev.baton;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A STOMP 1.2 client in a page, for tests that look at Baton's messages the way an agent in another language does:
 * frames are written and read byte for byte, so a test sees exactly which headers the broker sends.
 */
public final class StompClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A frame as read from the wire: command, headers (first occurrence wins, as STOMP 1.2 says), body bytes. */
    public record Frame(String command, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name);
        }
    }

    private StompClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects and logs in; fails unless the broker answers CONNECTED. */
    public static StompClient connect(int port, String login, String passcode) throws IOException {
        StompClient c = new StompClient(new Socket("127.0.0.1", port));
        c.socket.setSoTimeout(30_000);
        c.send(
                "CONNECT",
                Map.of(
                        "accept-version",
                        "1.2",
                        "host",
                        "localhost",
                        "heart-beat",
                        "0,0",
                        "login",
                        login,
                        "passcode",
                        passcode),
                null);
        Frame connected = c.read();
        if (!connected.command().equals("CONNECTED")) {
            throw new IOException("expected CONNECTED, got " + connected);
        }
        return c;
    }

    /**
     * Sends a frame. A null body sends none; a body is sent with {@code content-length} only when the headers say
     * so, because that header is what makes Artemis produce a BytesMessage instead of a TextMessage.
     */
    public void send(String command, Map<String, String> headers, String body) throws IOException {
        var frame = new StringBuilder(command).append('\n');
        headers.forEach((k, v) -> frame.append(k).append(':').append(v).append('\n'));
        frame.append('\n');
        if (body != null) frame.append(body);
        byte[] bytes = frame.toString().getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(bytes);
            out.write(0);
            out.flush();
        }
    }

    /** Reads the next frame, skipping heart-beat newlines; uses {@code content-length} when the frame has one. */
    public Frame read() throws IOException {
        int b;
        do {
            b = in.read();
            if (b < 0) throw new IOException("connection closed");
        } while (b == '\n' || b == '\r');
        var line = new ByteArrayOutputStream();
        line.write(b);
        String command = readLine(line);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = readLine(new ByteArrayOutputStream());
                !h.isEmpty();
                h = readLine(new ByteArrayOutputStream())) {
            int colon = h.indexOf(':');
            headers.putIfAbsent(unescape(h.substring(0, colon)), unescape(h.substring(colon + 1)));
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            if (in.read() != 0) throw new IOException("frame does not end with NUL after content-length bytes");
        } else {
            var bytes = new ByteArrayOutputStream();
            while ((b = in.read()) > 0) bytes.write(b);
            if (b < 0) throw new IOException("connection closed inside a frame");
            body = bytes.toByteArray();
        }
        return new Frame(command, headers, body);
    }

    private String readLine(ByteArrayOutputStream line) throws IOException {
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) throw new IOException("connection closed inside a frame");
            line.write(b);
        }
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** STOMP 1.2 header escapes: backslash followed by c, n, r or backslash. */
    private static String unescape(String s) {
        var out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                out.append(
                        switch (e) {
                            case 'c' -> ':';
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            default -> e;
                        });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Says goodbye first, as a well-behaved client does: unacknowledged messages go back to their queue. */
    @Override
    public void close() throws IOException {
        try {
            send("DISCONNECT", Map.of(), null);
        } finally {
            socket.close();
        }
    }
}
