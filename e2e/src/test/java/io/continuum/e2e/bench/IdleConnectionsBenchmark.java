package io.continuum.e2e.bench;

import io.continuum.testing.TestUsers;
import io.continuum.e2e.notifications.WsDevice;
import io.continuum.testing.LocalStack;
import io.continuum.testing.RepoPaths;
import io.continuum.testing.Tokens;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Idle connections one replica holds, and its heap: starts its own notification-service replica with
 * {@code -Xmx512m} (the packaged app, stack database, ingest off), opens {@code bench.connections} (10,000) WebSockets
 * to it directly (not through the gateway), waits past two server ping rounds, forces a GC and reads the heap used.
 * {@code ./mvnw -pl e2e test -Pbench -Dtest=IdleConnectionsBenchmark}.
 */
@Tag("benchmark")
class IdleConnectionsBenchmark {

    private static final Pattern HEAP_USED = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",id=\"([^\"]+)\"\\} ([0-9.E+]+)");

    @Test
    void tenThousandIdleSocketsIn512MbHeap() throws Exception {
        LocalStack.ensureInfra();
        int connections = Integer.getInteger("bench.connections", 10_000);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path jar = RepoPaths.root().resolve("notification-service/target/quarkus-app/quarkus-run.jar");
        File log = RepoPaths.root().resolve("e2e/target/idle-replica.log").toFile();
        Process replica = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dquarkus.http.port=" + port,
                "-Dcontinuum.notification.ingest.enabled=false", "-Dcontinuum.notification.replica-id=idle-bench",
                // 10,000 sockets of three accounts share three tokens: the registered-device check (one device per
                // sign-in, docs/auth.md) is off in this private replica; it is not what this benchmark measures
                "-Dcontinuum.devices.binding-required=false",
                "-Dquarkus.websockets-next.server.auto-ping-interval=10s",
                "-jar", jar.toString())).redirectErrorStream(true).redirectOutput(log).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        List<WsDevice> open = new ArrayList<>();
        List<TestUsers.User> users = new ArrayList<>();
        try {
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().pollInterval(Duration.ofMillis(300)).until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200);
            double heapBefore = heapAfterGc(replica, http, base);
            users.addAll(List.of(TestUsers.create("idle-a"), TestUsers.create("idle-b"), TestUsers.create("idle-c")));
            List<String> tokens = users.stream().map(TestUsers.User::accessToken).toList();
            String run = UUID.randomUUID().toString().substring(0, 6);
            long t0 = System.nanoTime();
            List<CompletableFuture<WsDevice>> pending = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                pending.add(WsDevice.connect("ws://127.0.0.1:" + port, tokens.get(i % 3), "idle-" + run + "-" + i, false));
                if (pending.size() == 200) {
                    pending.forEach(f -> open.add(f.orTimeout(120, TimeUnit.SECONDS).join()));
                    pending.clear();
                }
            }
            pending.forEach(f -> open.add(f.orTimeout(120, TimeUnit.SECONDS).join()));
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(5)).until(() -> {
                long ready = open.stream().filter(d -> d.received.get() >= 2).count();
                long closed = open.stream().filter(d -> !d.isOpen()).count();
                System.out.printf("  %.0f s: %d of %d streams live, %d closed%n", (System.nanoTime() - t0) / 1e9, ready, connections, closed);
                return ready == connections;
            });
            double readySeconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(25_000); // idle through two server ping rounds (10 s) and the reaper
            long alive = open.stream().filter(WsDevice::isOpen).count();
            double heap = heapAfterGc(replica, http, base);
            System.out.println("=== IdleConnectionsBenchmark ===");
            System.out.printf("%d idle WebSockets on one replica (-Xmx512m), upgraded in %.1f s, all streams live after %.1f s; %d still open after 25 s idle%n",
                    connections, connectSeconds, readySeconds, alive);
            System.out.printf("heap used after GC: %.1f MB with the sockets, %.1f MB before (%.1f KB per socket)%n",
                    heap / 1e6, heapBefore / 1e6, (heap - heapBefore) / 1e3 / connections);
            assertThat(alive).isEqualTo(connections);
            assertThat(replica.isAlive()).isTrue();
        } finally {
            open.forEach(WsDevice::abort);
            users.forEach(TestUsers.User::delete);
            replica.destroy();
            if (!replica.waitFor(20, TimeUnit.SECONDS)) {
                replica.destroyForcibly();
            }
        }
    }

    private static double heapAfterGc(Process replica, HttpClient http, String base) throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(replica.pid()), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor(30, TimeUnit.SECONDS);
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = HEAP_USED.matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }
}
