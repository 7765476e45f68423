package io.continuum.helm.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.helm.image.OciArchive.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One service image, built the way every image is built (ServiceImage: jib-core, FROM scratch, no daemon, no
 * registry) and checked: non-root user, entrypoint, layer order and content, permissions. The jlink'd runtime is
 * cached per machine, so this costs one image assembly per build; all five images: {@code -Pimages}.
 */
class ImageLayoutTest {

    static final String SERVICE = "recommendation-service";
    static Path tar;
    static Path runtime;

    @BeforeAll
    static void buildOnce() throws Exception {
        Path root = Images.repoRoot();
        runtime = ServiceImage.runtime(Images.runtimeCache());
        tar = root.resolve("helm/tests/target/images/" + SERVICE + ".tar");
        ServiceImage.build(SERVICE, "test", root.resolve(SERVICE + "/target/quarkus-app"), runtime, tar,
                root.resolve("helm/tests/target/jib-cache"));
    }

    @Test
    void configRunsTheFastJarAsNonRoot() throws Exception {
        JsonNode config = OciArchive.config(tar);
        JsonNode c = config.get("config");
        assertThat(c.get("User").asText()).isEqualTo("185:185");
        assertThat(c.get("User").asText()).doesNotStartWith("0").doesNotStartWith("root");
        List<String> entrypoint = new ArrayList<>();
        c.get("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
        assertThat(entrypoint).isEqualTo(ServiceImage.ENTRYPOINT);
        assertThat(c.get("WorkingDir").asText()).isEqualTo("/deployments");
        assertThat(config.get("os").asText()).isEqualTo("linux");
        assertThat(config.get("architecture").asText()).isEqualTo("amd64");
        assertThat(OciArchive.manifest(tar).get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
    }

    @Test
    void layersGoFromRuntimeToApplicationWithReadableFilesAndExecutableJava() throws Exception {
        List<List<Entry>> layers = OciArchive.layers(tar);
        assertThat(layers).hasSize(4);
        assertThat(layers.get(0)).anyMatch(e -> e.path().equals("opt/java/bin/java") && (e.mode() & 0111) == 0111);
        // jib adds the parent directory entries (deployments/) to each layer
        assertThat(layers.get(1)).allMatch(e -> e.path().equals("deployments") || e.path().startsWith("deployments/lib"));
        assertThat(layers.get(1)).anyMatch(e -> e.path().endsWith(".jar"));
        assertThat(layers.get(2)).allMatch(e -> e.path().equals("deployments") || e.path().startsWith("deployments/quarkus"));
        assertThat(layers.get(3)).anyMatch(e -> e.path().equals("deployments/quarkus-run.jar"));
        for (List<Entry> layer : layers) {
            for (Entry e : layer) {
                assertThat(e.uid()).as(e.path()).isZero(); // root-owned: the non-root user cannot change the image's files
                assertThat(e.mode() & 04).as("world-readable: " + e.path()).isNotZero();
                assertThat(e.mode() & 06000).as("no setuid/setgid: " + e.path()).isZero();
                assertThat(e.mode() & 02).as("not world-writable: " + e.path()).isZero();
            }
        }
    }

    @Test
    void theRuntimeHasTheModulesTheServicesNeed() throws Exception {
        Process p = new ProcessBuilder(runtime.resolve("bin/java").toString(), "--list-modules").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        for (String m : ServiceImage.MODULES) {
            assertThat(out).contains(m + "@");
        }
        assertThat(Files.size(tar)).as("compressed image").isLessThan(400L * 1024 * 1024);
    }

    /** Shared locations. */
    static final class Images {
        static Path repoRoot() {
            String prop = System.getProperty("continuum.repo.root");
            return prop != null ? Path.of(prop) : Path.of("").toAbsolutePath().getParent().getParent();
        }

        static Path runtimeCache() {
            String cache = System.getenv().getOrDefault("CONTINUUM_CACHE", System.getProperty("user.home") + "/.cache/continuum");
            return Path.of(cache, "image-runtime");
        }
    }
}
