package dev.baton;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.broker.BrokerUsers;
import dev.baton.config.BatonSettings;
import dev.baton.pipeline.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/** A real Baton (embedded Artemis, H2 file database, HTTP on a free port) in a temporary folder, for tests. */
public final class TestBaton implements AutoCloseable {
    static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "COMPENSATED", "CANCELLED");

    public final Path root;
    public final BatonServer server;
    public final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    /** An HTTP answer. */
    public record Response(int status, JsonNode body, java.net.http.HttpHeaders headers) {}

    private TestBaton(Path root, BatonServer server, int port) {
        this.root = root;
        this.server = server;
        this.port = port;
    }

    /** Starts Baton on {@code root} with the given agents.yaml and pipeline files (name → YAML). */
    public static TestBaton start(Path root, String agentsYaml, Map<String, String> routes) throws Exception {
        Files.createDirectories(root.resolve("routes"));
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/agents.yaml"), agentsYaml);
        for (var e : routes.entrySet()) {
            Files.writeString(root.resolve("routes").resolve(e.getKey()), e.getValue());
        }
        return restart(root);
    }

    /** As {@link #start(Path, String, Map)}, with agents taking their credentials from {@code env}, not the process's. */
    public static TestBaton start(
            Path root, String agentsYaml, Map<String, String> routes, java.util.function.Function<String, String> env)
            throws Exception {
        Files.createDirectories(root.resolve("routes"));
        Files.createDirectories(root.resolve("config"));
        Files.writeString(root.resolve("config/agents.yaml"), agentsYaml);
        for (var e : routes.entrySet()) {
            Files.writeString(root.resolve("routes").resolve(e.getKey()), e.getValue());
        }
        return launch(root.resolve("routes"), root.resolve("config"), root, env);
    }

    /** Starts Baton again on the same folders and data, as after a crash. */
    public static TestBaton restart(Path root) throws Exception {
        return startOn(root.resolve("routes"), root.resolve("config"), root);
    }

    /**
     * Starts Baton again on the same folders, data and ports (HTTP, broker TCP, STOMP, AMQP) as a Baton that ran with
     * {@code before} and is closed, as a restarted process would: agents connected to the old broker find the new one
     * where they left it.
     */
    public static TestBaton restartOnSamePorts(Path root, BatonSettings before) throws Exception {
        var b = before.broker();
        var settings = BatonSettings.load(new BatonSettings.Overrides(
                        root.resolve("routes"),
                        root.resolve("config"),
                        root.resolve("data"),
                        before.httpPort(),
                        b.port(),
                        b.stompPort(),
                        b.amqpPort()))
                .withSecurityFile(TestSecurity.write(root.resolve("test-security.yaml")));
        settings = onH2(settings);
        return new TestBaton(root, BatonServer.start(settings), before.httpPort());
    }

    /** Starts Baton on given routes and config folders, with its data under {@code root}. */
    public static TestBaton startOn(Path routes, Path config, Path root) throws Exception {
        return launch(routes, config, root, System::getenv);
    }

    /**
     * Starts Baton on free ports. A port found free can be taken by another socket before Baton binds it (the
     * ephemeral range serves outgoing connections too): then Baton refuses to start, and this tries new ports.
     */
    private static TestBaton launch(
            Path routes, Path config, Path root, java.util.function.Function<String, String> env) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            var settings = BatonSettings.load(new BatonSettings.Overrides(
                            routes, config, root.resolve("data"), port, freePort(), freePort(), freePort()))
                    .withSecurityFile(TestSecurity.write(root.resolve("test-security.yaml")));
            settings = onH2(settings);
            try {
                return new TestBaton(root, BatonServer.start(settings, env), port);
            } catch (Exception e) {
                if (attempt == 3 || !portTaken(e)) throw e;
                System.err.println("Baton could not bind its ports (" + e.getMessage() + "); trying other ports");
            }
        }
    }

    /**
     * An H2 file under the data folder unless the test names a database ({@code baton.db.url}): these tests are about
     * the engine, and H2 starts in no time; the crash tests ({@link BatonProcess}) run on Baton's default store.
     */
    static BatonSettings onH2(BatonSettings s) {
        if (!s.db().embedded()) return s;
        String url = "jdbc:h2:file:" + s.dataDir().resolve("db/baton").toAbsolutePath()
                + ";WRITE_DELAY=0;LOCK_TIMEOUT=20000";
        return s.withDb(s.db().on(url, "sa", ""));
    }

    private static boolean portTaken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof java.net.BindException || m.contains("cannot listen") || m.contains("already in use")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A port free at the moment, and not one this JVM handed out before: the kernel may give a port it just took back
     * again, and two of one Baton's ports once came out the same.
     */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) return s.getLocalPort();
            }
        }
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A JMS connection factory over TCP with Baton's own broker login (role baton: everything). */
    public ActiveMQConnectionFactory brokerConnections() {
        var b = server.settings().broker();
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + b.port(), b.user(), b.password());
    }

    /** The password {@link #agentConnections} gives agent {@code agent}'s broker user. */
    public static String agentPassword(String agent) {
        return "test-secret-" + agent;
    }

    /**
     * A JMS connection factory over TCP that logs in as agent {@code agent}'s own broker user, which is added to
     * this Baton's users file first (as {@code baton broker-user} does).
     */
    public ActiveMQConnectionFactory agentConnections(String agent) throws IOException {
        var b = server.settings().broker();
        BrokerUsers.put(b.usersFile(), b.rolesFile(), agent, agentPassword(agent), BrokerUsers.Kind.AGENT);
        return new ActiveMQConnectionFactory("tcp://127.0.0.1:" + b.port(), agent, agentPassword(agent));
    }

    /** GET as the test admin. */
    public Response get(String path) throws Exception {
        return adminCaller.get(path);
    }

    /** A GET whose answer is not JSON (the Prometheus metrics): the status and the body as text. */
    public String getText(String path) throws Exception {
        Response r = adminCaller.get(path);
        if (r.status() != 200) throw new AssertionError("GET " + path + ": " + r.status() + " " + r.body());
        return r.body().path("text").asText();
    }

    /** POST JSON as the test admin; {@code headers} are name, value pairs. */
    public Response post(String path, String body, String... headers) throws Exception {
        return adminCaller.post(path, body, headers);
    }

    /** Calls as another identity of {@link TestSecurity} (an API key). */
    public Caller as(String identity) {
        return new Caller("Authorization", "Bearer " + TestSecurity.apiKey(identity));
    }

    /** Calls with HTTP basic credentials. */
    public Caller basic(String user, String password) {
        return new Caller(
                "Authorization",
                "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString(
                                        (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Calls without credentials. */
    public Caller anonymous() {
        return new Caller();
    }

    private final Caller adminCaller = as("admin");

    /** The test admin, for calls the short helpers do not cover (other methods, headers on a GET). */
    public Caller admin() {
        return adminCaller;
    }

    /** Sends requests with one set of credentials (header name, value pairs). */
    public final class Caller {
        private final String[] auth;

        Caller(String... auth) {
            this.auth = auth;
        }

        public Response get(String path, String... headers) throws Exception {
            return request("GET", path, null, headers);
        }

        public Response post(String path, String body, String... headers) throws Exception {
            String[] all = new String[headers.length + 2];
            all[0] = "Content-Type";
            all[1] = "application/json";
            System.arraycopy(headers, 0, all, 2, headers.length);
            return request("POST", path, body, all);
        }

        /** Any method; a later header replaces an earlier one of the same name. */
        public Response request(String method, String path, String body, String... headers) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                    .timeout(Duration.ofSeconds(60))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            for (int i = 0; i < auth.length; i += 2) b.setHeader(auth[i], auth[i + 1]);
            for (int i = 0; i < headers.length; i += 2) b.setHeader(headers[i], headers[i + 1]);
            return send(b.build());
        }
    }

    private Response send(HttpRequest request) throws Exception {
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            HangReport.write("no answer to " + request.method() + " " + request.uri() + " in "
                    + request.timeout().orElse(null));
            throw e;
        }
        JsonNode body;
        try {
            body = r.body().isBlank() ? Json.object() : Json.parse(r.body());
        } catch (IllegalArgumentException e) {
            body = Json.object().put("text", r.body()); // not JSON: a test asserts on it
        }
        return new Response(r.statusCode(), body, r.headers());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Starts a run over REST and returns its id; fails the test unless the answer is 201. */
    public String startRun(String pipeline, String params) throws Exception {
        Response r = post("/api/pipelines/" + pipeline + "/runs", params);
        if (r.status() != 201) throw new AssertionError("start " + pipeline + ": " + r.status() + " " + r.body());
        return r.body().path("id").asText();
    }

    public JsonNode awaitRun(String id, Duration atMost) {
        await().atMost(atMost)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(100))
                .until(() ->
                        TERMINAL.contains(server.runs().get(id).path("status").asText()));
        return server.runs().get(id);
    }

    /** Rows of a query against the real database, each as column → value. */
    public List<Map<String, Object>> query(String sql, Object... args) throws Exception {
        try (Connection c = server.dataSource().getConnection();
                var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
                    }
                    rows.add(row);
                }
                return rows;
            } finally {
                c.rollback();
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
