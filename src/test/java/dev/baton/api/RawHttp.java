package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.pipeline.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests an HTTP client would refuse or normalise: bytes that are not UTF-8, a
 * header sent twice, bad percent-encoding, an over-long line, a request that is not HTTP.
 */
final class RawHttp {
    /** An answer: status, headers (lower-case names, each with every value) and body. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(", ", v);
        }

        JsonNode json() {
            return Json.parse(new String(body, StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {}

    /** Sends {@code head} (request line and headers, without the blank line) and {@code body}; reads to the end. */
    static Answer send(int port, String head, byte[] body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            String h = head + (body.length > 0 ? "\r\nContent-Length: " + body.length : "")
                    + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write(h.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            return parse(readAll(s.getInputStream()));
        }
    }

    static Answer send(int port, String head) throws Exception {
        return send(port, head, new byte[0]);
    }

    private static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
        } catch (java.net.SocketException e) {
            // the server may reset a connection it refused after answering; what arrived is the answer
        }
        return out.toByteArray();
    }

    private static Answer parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) throw new AssertionError("no HTTP answer: '" + text + "'");
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(
                            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            k -> new java.util.ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if (List.of("chunked").equals(headers.get("transfer-encoding"))) {
            body = unchunk(body);
        }
        return new Answer(status, headers, body);
    }

    private static byte[] unchunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String text = new String(chunked, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (true) {
            int eol = text.indexOf("\r\n", at);
            int size = Integer.parseInt(text.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) return out.toByteArray();
            out.write(chunked, eol + 2, size);
            at = eol + 2 + size + 2;
        }
    }
}
