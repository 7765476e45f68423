package io.continuum.notification.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Replicas of the packaged service ({@code target/quarkus-app}) for scale-out tests: each its own JVM and port, on the
 * test database, in one ingest group; log in {@code target/replica-<id>.log}. Stopped (TERM, then KILL) by
 * {@link #close}.
 */
public final class Replicas implements AutoCloseable {

    private final String group;
    private final List<Process> started = new ArrayList<>();

    public Replicas(String group) {
        this.group = group;
    }

    /** A started (not yet ready) replica. */
    public record Replica(String id, String base, Process process) {
    }

    public Replica launch(String id, String... properties) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).exists();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        File log = Path.of("target/replica-" + id + ".log").toFile();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                "-Dcontinuum.db.name=continuum_notification_test",
                // the test database is shared by every checkout of the machine (as in the %test profile)
                "-Dquarkus.flyway.ignore-migration-patterns=*:missing,*:future",
                "-Dcontinuum.notification.ingest.group=" + group,
                "-Dcontinuum.notification.replica-id=" + id,
                // one token serves several device ids here; the device check has its own test (DeviceBindingUpgradeTest)
                "-Dcontinuum.devices.binding-required=false"));
        cmd.addAll(List.of(properties));
        cmd.addAll(List.of("-jar", jar.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        started.add(p);
        return new Replica(id, "http://localhost:" + port, p);
    }

    public static void awaitReady(String base) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : started) {
            p.destroy();
        }
        for (Process p : started) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
