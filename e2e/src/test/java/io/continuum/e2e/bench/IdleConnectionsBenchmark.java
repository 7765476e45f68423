package io.continuum.e2e.bench;

import io.continuum.testing.TestUsers;
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
import java.util.Map;
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
 * {@code -Xmx}{@code bench.xmx} (512m; the packaged app, stack database, ingest off), opens {@code bench.connections}
 * (10,000) WebSockets to it directly (not through the gateway) from client ends spread over the source addresses
 * 127.0.0.1, 127.0.0.2, … ({@link LoopbackSockets}: one address has only ~28,000 ephemeral ports), waits until every
 * stream is live, idles {@code bench.idle-seconds} (25: two server ping rounds at 10 s and the reaper), forces a GC and
 * reads the heap used. It also writes the replica's class histogram (after a GC) with no socket and with all of them to
 * {@code e2e/target/idle-histogram-{0,n}.txt} and prints the heap per socket by owner (Netty/Vert.x, WebSockets Next,
 * Continuum, JDK).
 * Every socket is a file descriptor in both JVMs: the open-files limit ({@code ulimit -n}) must exceed
 * {@code bench.connections} by some 2,000, and the benchmark refuses to start otherwise. {@code -Dbench.live-batches=true}
 * waits for each batch of 200 to be live before opening the next (for the heap figures on a busy machine, where a burst
 * of connects can outlast the replica's database pool).
 * {@code ./mvnw -pl e2e test -Pbench -Dtest=IdleConnectionsBenchmark}; issue 15's target:
 * {@code ulimit -n 120000; ./mvnw -pl e2e test -Pbench -Dtest=IdleConnectionsBenchmark -Dbench.connections=50000
 * -Dbench.xmx=1g -Dbench.idle-seconds=600}.
 */
@Tag("benchmark")
class IdleConnectionsBenchmark {

    private static final Pattern HEAP_USED = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\",id=\"([^\"]+)\"\\} ([0-9.E+]+)");
    /** File descriptors a replica and the benchmark's JVM use besides the sockets (jars, pools, Kafka, PostgreSQL). */
    private static final int FD_HEADROOM = 2_000;

    @Test
    void idleSocketsOnOneReplicaAndTheirHeap() throws Exception {
        LocalStack.ensureInfra();
        int connections = Integer.getInteger("bench.connections", 10_000);
        String xmx = System.getProperty("bench.xmx", "512m");
        int idleSeconds = Integer.getInteger("bench.idle-seconds", 25);
        boolean liveBatches = Boolean.getBoolean("bench.live-batches");
        long ownLimit = LoopbackSockets.openFilesLimit(ProcessHandle.current().pid());
        assertThat(ownLimit).as("open-files limit of the benchmark's JVM (ulimit -n) for %d sockets", connections)
                .isGreaterThanOrEqualTo((long) connections + FD_HEADROOM);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path jar = RepoPaths.root().resolve("notification-service/target/quarkus-app/quarkus-run.jar");
        File log = RepoPaths.root().resolve("e2e/target/idle-replica.log").toFile();
        Process replica = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + xmx, "-Dquarkus.http.port=" + port,
                "-Dcontinuum.notification.ingest.enabled=false", "-Dcontinuum.notification.replica-id=idle-bench",
                // the sockets of three accounts share three tokens: the registered-device check (one device per
                // sign-in, docs/auth.md) is off in this private replica; it is not what this benchmark measures
                "-Dcontinuum.devices.binding-required=false",
                "-Dcontinuum.notification.admission.max-sockets=" + Math.max(60_000, connections + 1),
                "-Dquarkus.websockets-next.server.auto-ping-interval=10s",
                "-jar", jar.toString())).redirectErrorStream(true).redirectOutput(log).start();
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newHttpClient();
        List<TestUsers.User> users = new ArrayList<>();
        try (LoopbackSockets sockets = new LoopbackSockets(connections)) {
            assertThat(LoopbackSockets.openFilesLimit(replica.pid())).as("open-files limit of the replica")
                    .isGreaterThanOrEqualTo((long) connections + FD_HEADROOM);
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().pollInterval(Duration.ofMillis(300)).until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200);
            double heapBefore = heapAfterGc(replica, http, base);
            Map<String, long[]> histogramBefore = histogram(replica, "0");
            users.addAll(List.of(TestUsers.create("idle-a"), TestUsers.create("idle-b"), TestUsers.create("idle-c")));
            List<String> tokens = users.stream().map(TestUsers.User::accessToken).toList();
            String run = UUID.randomUUID().toString().substring(0, 6);
            long t0 = System.nanoTime();
            List<CompletableFuture<LoopbackSockets.Socket>> pending = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                pending.add(sockets.open(i, port, "/ws", tokens.get(i % 3), "idle-" + run + "-" + i));
                if (pending.size() == 200) {
                    List<LoopbackSockets.Socket> batch = pending.stream().map(f -> f.orTimeout(120, TimeUnit.SECONDS).join()).toList();
                    pending.clear();
                    if (liveBatches) { // each batch live before the next: the heap, not the connect rate, on a busy machine
                        await().atMost(Duration.ofMinutes(2)).until(() -> batch.stream().allMatch(d -> d.received.get() >= 2));
                    }
                }
            }
            pending.forEach(f -> f.orTimeout(120, TimeUnit.SECONDS).join());
            List<LoopbackSockets.Socket> open = sockets.sockets();
            double connectSeconds = (System.nanoTime() - t0) / 1e9;
            await().atMost(Duration.ofSeconds(360 + connections / 50)).pollInterval(Duration.ofSeconds(5)).until(() -> {
                long ready = open.stream().filter(d -> d.received.get() >= 2).count();
                long closed = open.stream().filter(d -> !d.isOpen()).count();
                System.out.printf("  %.0f s: %d of %d streams live, %d closed%n", (System.nanoTime() - t0) / 1e9, ready, connections, closed);
                return ready == connections;
            });
            double readySeconds = (System.nanoTime() - t0) / 1e9;
            // idle through the server's ping rounds (10 s) and the reaper; sockets that drop end the wait early
            await().pollDelay(Duration.ofSeconds(idleSeconds)).atMost(Duration.ofSeconds(idleSeconds + 30)).until(() -> true);
            long alive = open.stream().filter(LoopbackSockets.Socket::isOpen).count();
            double heap = heapAfterGc(replica, http, base);
            Map<String, long[]> histogramAfter = histogram(replica, Integer.toString(connections));
            System.out.println("=== IdleConnectionsBenchmark ===");
            System.out.printf("%d idle WebSockets on one replica (-Xmx%s) from %d source addresses, upgraded in %.1f s, all streams"
                            + " live after %.1f s; %d still open after %d s idle%n",
                    connections, xmx, sockets.sourceAddresses(), connectSeconds, readySeconds, alive, idleSeconds);
            System.out.printf("heap used after GC: %.1f MB with the sockets, %.1f MB before (%.1f KB per socket)%n",
                    heap / 1e6, heapBefore / 1e6, (heap - heapBefore) / 1e3 / connections);
            System.out.println(perSocket(histogramBefore, histogramAfter, connections));
            assertThat(alive).isEqualTo(connections);
            assertThat(replica.isAlive()).isTrue();
        } finally {
            users.forEach(TestUsers.User::delete);
            replica.destroy();
            if (!replica.waitFor(20, TimeUnit.SECONDS)) {
                replica.destroyForcibly();
            }
        }
    }

    /** Who owns a class of the histogram: the layers of a socket. */
    static String owner(String className) {
        String c = className.replace("[L", "").replace(";", "");
        if (c.startsWith("io.netty.")) {
            return "Netty (channel, pipeline, buffers)";
        }
        if (c.startsWith("io.vertx.")) {
            return "Vert.x (HTTP server connection, WebSocket)";
        }
        if (c.startsWith("io.quarkus.websockets.next.")) {
            return "WebSockets Next (connection, codecs, user data)";
        }
        if (c.startsWith("io.quarkus.") || c.startsWith("io.smallrye.")) {
            return "Quarkus/SmallRye (security identity, context)";
        }
        if (c.startsWith("io.continuum.")) {
            return "Continuum (DeviceConnection, registry)";
        }
        return "JDK and others (maps, strings, arrays, lambdas)";
    }

    /** Heap per socket by owner: the difference of two class histograms, divided by the sockets. */
    static String perSocket(Map<String, long[]> before, Map<String, long[]> after, int connections) {
        Map<String, Long> byOwner = new java.util.TreeMap<>();
        Map<String, Long> byClass = new java.util.HashMap<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long bytes = e.getValue()[1] - b[1];
            byOwner.merge(owner(e.getKey()), bytes, Long::sum);
            byClass.put(e.getKey(), bytes);
        }
        StringBuilder out = new StringBuilder("heap per socket by owner (class histograms after GC, 0 vs " + connections + " sockets):\n");
        long total = byOwner.values().stream().mapToLong(Long::longValue).sum();
        byOwner.forEach((o, bytes) -> out.append(String.format("  %-50s %8.0f B%n", o, (double) bytes / connections)));
        out.append(String.format("  %-50s %8.0f B%n  largest classes:%n", "total", (double) total / connections));
        byClass.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(25)
                .forEach(e -> out.append(String.format("    %8.0f B  %s%n", (double) e.getValue() / connections, e.getKey())));
        return out.toString();
    }

    /** The replica's class histogram after a full GC ({@code jcmd GC.class_histogram}): class → {instances, bytes}. */
    static Map<String, long[]> histogram(Process replica, String label) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(replica.pid()), "GC.class_histogram").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        java.nio.file.Files.writeString(RepoPaths.root().resolve("e2e/target/idle-histogram-" + label + ".txt"), text);
        Map<String, long[]> classes = new java.util.HashMap<>();
        Matcher m = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE).matcher(text);
        while (m.find()) {
            classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                    (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
        }
        return classes;
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
