package io.continuum.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Serves the web app (web/) in Kubernetes, the way the local gateway serves it (deploy/gateway/routes.yaml,
 * {@code static}): {@code /app/*} are the files of web/public (keycloak-js under {@code /app/vendor/keycloak-js/}),
 * {@code /} and {@code /billing/done} answer index.html. Everything else of the host ({@code /api/*}, {@code /ws})
 * goes to the services through the same HTTPRoute, so the app calls its API on its own origin.
 *
 * <p>{@code /app/config.js} is written from the environment when {@code CONTINUUM_WEB_KEYCLOAK_URL} is set (the Helm
 * chart sets it from values): the Keycloak URL, realm and client id of the app. It answers the probe paths the
 * chart's one service template uses ({@code /q/health/started|live|ready}) and a small {@code /q/metrics}.
 *
 * <p>The JDK's own HTTP server (module jdk.httpserver): no dependency, a ~30 MB runtime. Only GET and HEAD; files
 * outside the root (a {@code ..} in the path) and directories are 404; {@code Cache-Control: no-cache} as locally.
 */
public final class StaticServer {

    private static final Logger LOG = Logger.getLogger(StaticServer.class.getName());
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "json", "application/json", "png", "image/png", "svg", "image/svg+xml", "map", "application/json");
    private static final Map<String, String> INDEX_PATHS = Map.of("/", "index.html", "/billing/done", "index.html");

    private final Path root;
    private final byte[] configJs;
    private final HttpServer server;
    private final ExecutorService workers;
    private final Map<Integer, LongAdder> responses = new ConcurrentHashMap<>();

    private StaticServer(Path root, byte[] configJs, int port) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.configJs = configJs;
        if (!Files.isRegularFile(this.root.resolve("index.html"))) {
            throw new IllegalStateException(this.root + " has no index.html: not the web app's files");
        }
        this.workers = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "web");
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(port), 256);
        server.createContext("/", this::handle);
        server.setExecutor(workers);
    }

    /** Starts serving {@code root} on {@code port} (0 = any free port); {@code configJs} null = the file's. */
    public static StaticServer start(Path root, String configJs, int port) throws IOException {
        StaticServer s = new StaticServer(root, configJs == null ? null : configJs.getBytes(StandardCharsets.UTF_8), port);
        s.server.start();
        LOG.info(() -> "serving " + s.root + " on port " + s.port()
                + (configJs == null ? "" : " (config.js from the environment)"));
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        server.stop(1);
        workers.shutdownNow();
    }

    /**
     * The app's {@code window.continuumConfig} from the environment, or null when
     * {@code CONTINUUM_WEB_KEYCLOAK_URL} is unset (then web/public/config.js, the local stack's, is served).
     */
    public static String configJs(Map<String, String> env) {
        String keycloak = env.get("CONTINUUM_WEB_KEYCLOAK_URL");
        if (keycloak == null || keycloak.isBlank()) {
            return null;
        }
        return "// Written by the web server from its environment (Helm chart values `web.config`).\n"
                + "window.continuumConfig = {\n"
                + "  keycloakUrl: " + jsString(keycloak.trim()) + ",\n"
                + "  realm: " + jsString(env.getOrDefault("CONTINUUM_WEB_REALM", "continuum")) + ",\n"
                + "  clientId: " + jsString(env.getOrDefault("CONTINUUM_WEB_CLIENT_ID", "continuum-web")) + ",\n"
                + "};\n";
    }

    /** A JavaScript string literal (JSON-escaped, and "<" escaped so it can never close a script element). */
    static String jsString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '<' -> out.append("\\u003c");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8), false);
                return;
            }
            String path = ex.getRequestURI().getPath(); // decoded: "%2e%2e" is ".." here, and refused below
            if (path.startsWith("/q/health")) {
                send(ex, 200, "application/json", "{\"status\":\"UP\",\"checks\":[]}".getBytes(StandardCharsets.UTF_8), head);
            } else if ("/q/metrics".equals(path)) {
                send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics(), head);
            } else if ("/app/config.js".equals(path) && configJs != null) {
                send(ex, 200, TYPES.get("js"), configJs, head);
            } else if (INDEX_PATHS.containsKey(path)) {
                file(ex, root.resolve(INDEX_PATHS.get(path)), head);
            } else if (path.startsWith("/app/")) {
                Path file = root.resolve(path.substring("/app/".length())).normalize();
                if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                    notFound(ex, head);
                } else {
                    file(ex, file, head);
                }
            } else {
                notFound(ex, head);
            }
        }
    }

    private void file(HttpExchange ex, Path file, boolean head) throws IOException {
        String name = file.getFileName().toString();
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String type = TYPES.getOrDefault(ext, "application/octet-stream");
        long size = Files.size(file);
        count(200);
        headers(ex, type);
        ex.sendResponseHeaders(200, head ? -1 : (size == 0 ? -1 : size));
        if (!head && size > 0) {
            try (InputStream in = Files.newInputStream(file); OutputStream out = ex.getResponseBody()) {
                in.transferTo(out);
            }
        }
    }

    private void notFound(HttpExchange ex, boolean head) throws IOException {
        send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8), head);
    }

    private void send(HttpExchange ex, int status, String type, byte[] body, boolean head) throws IOException {
        count(status);
        headers(ex, type);
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void headers(HttpExchange ex, String type) {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    }

    private void count(int status) {
        responses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    private byte[] metrics() {
        StringBuilder out = new StringBuilder("# HELP continuum_web_responses_total Responses of the web app's server by status\n"
                + "# TYPE continuum_web_responses_total counter\n");
        responses.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> out
                .append("continuum_web_responses_total{status=\"").append(e.getKey()).append("\"} ")
                .append(e.getValue().sum()).append('\n'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Port: {@code QUARKUS_HTTP_PORT} (set by the chart's service template for every component), else 8080. */
    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        int port = Integer.parseInt(env.getOrDefault("QUARKUS_HTTP_PORT", "8080"));
        Path root = Path.of(env.getOrDefault("CONTINUUM_WEB_ROOT", "/deployments/web"));
        StaticServer s = start(root, configJs(env), port);
        Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "web-stop"));
    }
}
