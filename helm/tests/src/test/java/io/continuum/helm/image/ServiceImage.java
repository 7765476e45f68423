package io.continuum.helm.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.FilePermissionsProvider;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds a service's container image without a Docker daemon and without any registry: jib-core (Maven Central)
 * assembles it FROM scratch out of a jlink'd Java 17 runtime and the Quarkus fast-jar ({@code target/quarkus-app}),
 * and writes an OCI image tarball ({@code skopeo copy oci-archive:… docker://…} or {@code crane push} loads it into
 * a registry; {@code docker load}/{@code podman load} read it too).
 *
 * <p>Layers, from least to most often changing: the runtime ({@code /opt/java}), the dependencies
 * ({@code /deployments/lib}), Quarkus' generated classes ({@code /deployments/quarkus}), the application
 * ({@code /deployments/app} + {@code quarkus-run.jar}). User 185:185 (non-root, as in the chart); every file is
 * root-owned and world-readable, so the read-only root file system of the chart holds.
 */
public final class ServiceImage {

    /** Java modules the services need (Quarkus, Vert.x, Netty, Kafka clients, PostgreSQL drivers, JNDI for LDAP-free OIDC). */
    public static final List<String> MODULES = List.of("java.base", "java.logging", "java.management", "java.naming",
            "java.net.http", "java.security.jgss", "java.security.sasl", "java.sql", "java.xml", "java.desktop",
            "java.instrument", "jdk.crypto.ec", "jdk.unsupported", "jdk.management", "jdk.zipfs", "java.transaction.xa",
            "jdk.naming.dns");
    public static final String USER = "185:185";
    public static final List<String> ENTRYPOINT = List.of("/opt/java/bin/java", "-jar", "/deployments/quarkus-run.jar");

    private ServiceImage() {
    }

    /**
     * The jlink'd runtime, built once per machine and Java version into {@code cacheDir} (jlink costs ~17 s of CPU;
     * it does not change between builds).
     */
    public static Path runtime(Path cacheDir) throws IOException, InterruptedException {
        return runtime(cacheDir, MODULES);
    }

    /** A jlink'd runtime of {@code modules}, cached like {@link #runtime(Path)} (the web image's is smaller). */
    public static Path runtime(Path cacheDir, List<String> modules) throws IOException, InterruptedException {
        String key = System.getProperty("java.version") + "-" + Integer.toHexString(modules.hashCode());
        Path jre = cacheDir.resolve("jre-" + key);
        if (Files.isExecutable(jre.resolve("bin/java"))) {
            return jre;
        }
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempDirectory(cacheDir, "jre-building-");
        Files.delete(tmp); // jlink wants to create it
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        Process p = new ProcessBuilder(jlink.toString(), "--add-modules", String.join(",", modules), "--strip-debug",
                "--no-man-pages", "--no-header-files", "--compress=2", "--output", tmp.toString())
                .redirectErrorStream(true).redirectOutput(cacheDir.resolve("jlink.log").toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("jlink failed, see " + cacheDir.resolve("jlink.log"));
        }
        try {
            Files.move(tmp, jre);
        } catch (IOException raced) {
            // another build made it meanwhile: use theirs
        }
        return jre;
    }

    /** Builds {@code <name>:<tag>} from {@code quarkusApp} into the OCI tarball {@code out}. */
    public static JibContainer build(String name, String tag, Path quarkusApp, Path runtime, Path out, Path layerCache)
            throws Exception {
        if (!Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(quarkusApp + " has no quarkus-run.jar: build the service first "
                    + "(./mvnw -pl " + name + " -am install -DskipTests)");
        }
        AbsoluteUnixPath deployments = AbsoluteUnixPath.get("/deployments");
        return writeTar(fromRuntime(runtime, Map.of())
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("dependencies")
                        .addEntryRecursive(quarkusApp.resolve("lib"), deployments.resolve("lib")).build())
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("quarkus")
                        .addEntryRecursive(quarkusApp.resolve("quarkus"), deployments.resolve("quarkus")).build())
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("application")
                        .addEntryRecursive(quarkusApp.resolve("app"), deployments.resolve("app"))
                        .addEntry(quarkusApp.resolve("quarkus-run.jar"), deployments.resolve("quarkus-run.jar")).build())
                .setEntrypoint(ENTRYPOINT), name, tag, out, layerCache);
    }

    /**
     * What every Continuum image starts from (the services' and the web app's): FROM scratch, OCI, linux/amd64, the
     * jlink'd {@code runtime} as the first layer at {@code /opt/java} (executables kept 755), user 185, working
     * directory {@code /deployments}, {@code JAVA_HOME}, {@code LANG} and {@code env}, port 8080.
     */
    static JibContainerBuilder fromRuntime(Path runtime, Map<String, String> env) throws Exception {
        FilePermissionsProvider keepExec = (source, target) -> Files.isExecutable(source) && !Files.isDirectory(source)
                ? FilePermissions.fromOctalString("755") : FilePermissions.DEFAULT_FILE_PERMISSIONS;
        Map<String, String> environment = new java.util.LinkedHashMap<>(Map.of("JAVA_HOME", "/opt/java", "LANG", "C.UTF-8"));
        environment.putAll(env);
        return Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .setPlatforms(Set.of(new Platform("amd64", "linux")))
                .addFileEntriesLayer(FileEntriesLayer.builder().setName("jre")
                        .addEntryRecursive(runtime, AbsoluteUnixPath.get("/opt/java"), keepExec).build())
                .setUser(USER)
                .setWorkingDirectory(AbsoluteUnixPath.get("/deployments"))
                .setEnvironment(environment)
                .setExposedPorts(Set.of(Port.tcp(8080)));
    }

    /** Labels {@code image} as {@code continuum/<name>:<tag>} and writes it, offline, to the OCI tarball {@code out}. */
    static JibContainer writeTar(JibContainerBuilder image, String name, String tag, Path out, Path layerCache)
            throws Exception {
        Files.createDirectories(out.getParent());
        return image.setLabels(Map.of("org.opencontainers.image.title", name, "org.opencontainers.image.version", tag))
                .containerize(Containerizer.to(TarImage.at(out).named("continuum/" + name + ":" + tag))
                        .setBaseImageLayersCache(layerCache).setApplicationLayersCache(layerCache)
                        .setOfflineMode(true));
    }
}
