package io.continuum.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The web app's server, started for real on a free port over the real web/public files (nothing faked), asked over
 * HTTP the way a browser and the kubelet's probes ask it.
 */
class StaticServerTest {

    static final Path PUBLIC = Path.of("..", "public").toAbsolutePath().normalize();
    final HttpClient http = HttpClient.newHttpClient();
    StaticServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheAppItsIndexPathsAndTheProbes() throws Exception {
        server = StaticServer.start(PUBLIC, null, 0);
        String index = Files.readString(PUBLIC.resolve("index.html"));
        for (String path : new String[] {"/", "/billing/done"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).isEqualTo(index);
            assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        }
        HttpResponse<String> app = get("/app/app.js");
        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(app.body()).isEqualTo(Files.readString(PUBLIC.resolve("app.js")));
        assertThat(app.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(app.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(app.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(get("/app/style.css").headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
        assertThat(get("/app/config.js").body()).as("no Keycloak URL in the environment: the file's")
                .isEqualTo(Files.readString(PUBLIC.resolve("config.js")));
        for (String probe : new String[] {"/q/health/started", "/q/health/live", "/q/health/ready"}) {
            assertThat(get(probe).statusCode()).as(probe).isEqualTo(200);
        }
        assertThat(get("/q/metrics").body()).contains("continuum_web_responses_total{status=\"200\"}");
    }

    @Test
    void configJsComesFromTheEnvironmentAsAnEscapedScript() throws Exception {
        String js = StaticServer.configJs(Map.of("CONTINUUM_WEB_KEYCLOAK_URL", "https://auth.example.com",
                "CONTINUUM_WEB_CLIENT_ID", "continuum-web"));
        server = StaticServer.start(PUBLIC, js, 0);
        HttpResponse<String> r = get("/app/config.js");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("window.continuumConfig = {", "keycloakUrl: \"https://auth.example.com\"",
                "realm: \"continuum\"", "clientId: \"continuum-web\"");
        assertThat(StaticServer.configJs(Map.of())).as("unset: serve the file").isNull();
        assertThat(StaticServer.jsString("a\"</script><x>\\\n")).isEqualTo("\"a\\\"\\u003c/script>\\u003cx>\\\\\\u000a\"");
    }

    @Test
    void nothingOutsideTheAppsFilesIsServed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path root = Files.createDirectories(dir.resolve("web"));
        Files.writeString(root.resolve("index.html"), "<!doctype html>");
        Files.createDirectories(root.resolve("vendor"));
        Files.writeString(dir.resolve("secret.txt"), "not for you");
        server = StaticServer.start(root, null, 0);
        for (String path : new String[] {"/app/../secret.txt", "/app/%2e%2e/secret.txt", "/app/%2e%2e%2fsecret.txt",
                "/app//etc/passwd", "/app/vendor", "/app/vendor/", "/app/missing.js", "/secret.txt", "/api/state/snapshot"}) {
            assertThat(raw("GET " + path + " HTTP/1.1")).as(path).startsWith("HTTP/1.1 404");
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void aDirectoryWithoutTheAppIsRefusedAtStart(@org.junit.jupiter.api.io.TempDir Path dir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StaticServer.start(dir, null, 0))
                .hasMessageContaining("has no index.html");
    }

    /** A request line sent as is (HttpClient would normalize the dot segments away). */
    String raw(String requestLine) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write((requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
