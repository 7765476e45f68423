package io.continuum.helm.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.helm.image.OciArchive.Entry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web app's image (chart component {@code web}), built as the chart expects it (WebImage: jib-core, FROM
 * scratch, user 185) and then run: its own runtime, server jar and files, unpacked from the image, serve the app
 * and keycloak-js over HTTP, with config.js from the environment the chart sets.
 */
class WebImageTest {

    static Path tar;
    static Path runtime;

    @BeforeAll
    static void buildOnce() throws Exception {
        Path root = ImageLayoutTest.Images.repoRoot();
        runtime = ServiceImage.runtime(ImageLayoutTest.Images.runtimeCache(), WebImage.MODULES);
        tar = root.resolve("helm/tests/target/images/web.tar");
        WebImage.build("test", root, runtime, tar, root.resolve("helm/tests/target/jib-cache"));
    }

    @Test
    void runsTheStaticServerAsNonRootWithTheFilesWhereItLooks() throws Exception {
        JsonNode c = OciArchive.config(tar).get("config");
        assertThat(c.get("User").asText()).isEqualTo("185:185");
        List<String> entrypoint = new ArrayList<>();
        c.get("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
        assertThat(entrypoint).isEqualTo(WebImage.ENTRYPOINT);
        List<String> env = new ArrayList<>();
        c.get("Env").forEach(n -> env.add(n.asText()));
        assertThat(env).contains("CONTINUUM_WEB_ROOT=/deployments/web");

        List<List<Entry>> layers = OciArchive.layers(tar);
        assertThat(layers).hasSize(3);
        assertThat(layers.get(0)).anyMatch(e -> e.path().equals("opt/java/bin/java") && (e.mode() & 0111) == 0111);
        assertThat(layers.get(1)).anyMatch(e -> e.path().equals("deployments/server.jar"));
        assertThat(layers.get(2)).extracting(Entry::path).contains("deployments/web/index.html",
                "deployments/web/app.js", "deployments/web/config.js", "deployments/web/vendor/keycloak-js/keycloak.js");
        for (List<Entry> layer : layers) {
            for (Entry e : layer) {
                assertThat(e.uid()).as(e.path()).isZero();
                assertThat(e.mode() & 04).as("world-readable: " + e.path()).isNotZero();
                assertThat(e.mode() & 06002).as("no setuid, not world-writable: " + e.path()).isZero();
            }
        }
        assertThat(Files.size(tar)).as("compressed image").isLessThan(60L * 1024 * 1024);
    }

    @Test
    void theImagesRuntimeJarAndFilesServeTheApp(@TempDir Path dir) throws Exception {
        for (int layer = 1; layer <= 2; layer++) {
            OciArchive.extract(tar, layer, dir);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(WebImage.ENTRYPOINT);
        cmd.set(0, runtime.resolve("bin/java").toString());
        cmd.set(2, dir.resolve("deployments/server.jar").toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile());
        pb.environment().put("CONTINUUM_WEB_ROOT", dir.resolve("deployments/web").toString());
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        pb.environment().put("CONTINUUM_WEB_KEYCLOAK_URL", "https://auth.example.com");
        pb.environment().put("CONTINUUM_WEB_CLIENT_ID", "continuum-web");
        Process server = pb.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            HttpResponse<String> index = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.body()).contains("<script type=\"module\" src=\"/app/app.js\">");
            HttpResponse<String> kc = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/app/vendor/keycloak-js/keycloak.js")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(kc.statusCode()).isEqualTo(200);
            assertThat(kc.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/app/config.js")).build(),
                    HttpResponse.BodyHandlers.ofString()).body())
                    .contains("keycloakUrl: \"https://auth.example.com\"", "clientId: \"continuum-web\"");
        } finally {
            server.destroy();
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
    }
}
