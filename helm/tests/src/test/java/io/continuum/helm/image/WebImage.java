package io.continuum.helm.image;

import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The web app's image ({@code continuum/web}), built like the services' (jib-core, FROM scratch, no daemon, no
 * registry, user 185): a jlink'd runtime of three modules, the static server of {@code web/server} and the app's
 * files (web/public, and keycloak-js from web/node_modules, installed by {@code npm ci} in web/). The files are laid
 * out as the server serves them: {@code /deployments/web/index.html}, {@code /deployments/web/vendor/keycloak-js/}.
 */
public final class WebImage {

    public static final List<String> MODULES = List.of("java.base", "java.logging", "jdk.httpserver");
    public static final List<String> ENTRYPOINT = List.of("/opt/java/bin/java", "-cp", "/deployments/server.jar",
            "io.continuum.web.StaticServer");
    public static final String FILES = "/deployments/web";

    private WebImage() {
    }

    /** The server jar of web/server (built by Maven before helm/tests: it is a dependency). */
    public static Path serverJar(Path repoRoot) throws IOException {
        try (var jars = Files.list(repoRoot.resolve("web/server/target"))) {
            return jars.filter(p -> p.getFileName().toString().matches("continuum-web-server-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().contains("-sources")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no web/server/target/continuum-web-server-*.jar: "
                            + "./mvnw -pl web/server install"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalStateException("web/server is not built: ./mvnw -pl web/server install", e);
        }
    }

    /** keycloak-js's browser files, as up.sh's gateway serves them under /app/vendor/keycloak-js/. */
    public static Path keycloakJs(Path repoRoot) {
        Path lib = repoRoot.resolve("web/node_modules/keycloak-js/lib");
        if (!Files.isRegularFile(lib.resolve("keycloak.js"))) {
            throw new IllegalStateException(lib + "/keycloak.js is missing: run `npm ci` in web/ (web/package-lock.json)");
        }
        return lib;
    }

    public static JibContainer build(String tag, Path repoRoot, Path runtime, Path out, Path layerCache) throws Exception {
        AbsoluteUnixPath files = AbsoluteUnixPath.get(FILES);
        return ServiceImage.writeTar(ServiceImage.fromRuntime(runtime, Map.of("CONTINUUM_WEB_ROOT", FILES))
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("server")
                        .addEntry(serverJar(repoRoot), AbsoluteUnixPath.get("/deployments/server.jar")).build())
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("web")
                        .addEntryRecursive(repoRoot.resolve("web/public"), files)
                        .addEntryRecursive(keycloakJs(repoRoot), files.resolve("vendor/keycloak-js")).build())
                .setEntrypoint(ENTRYPOINT), "web", tag, out, layerCache);
    }
}
