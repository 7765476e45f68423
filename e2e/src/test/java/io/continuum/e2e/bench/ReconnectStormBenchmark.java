package io.continuum.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.client.Backoff;
import io.continuum.client.ContinuumClient;
import io.continuum.e2e.notifications.Percentiles;
import io.continuum.testing.LocalStack;
import io.continuum.testing.RepoPaths;
import io.continuum.testing.TestUsers;
import io.continuum.testing.Tokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.vertx.core.http.UpgradeRejectedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reconnect storm (issue 15): a second notification-service replica (B, the packaged jar, stack database) holds
 * {@code bench.devices} raw sockets (10,000) of {@code bench.accounts} accounts (devices / 10), registered devices each
 * with its own sign-in ({@link BenchDevices}), on the lean Vert.x client of {@link LoopbackSockets} (the JDK client's
 * own CPU took half of the two vCPUs during the storm, and it noticed B's death ~1.5 s late); B is killed (SIGKILL); every device reconnects to the stack's replica
 * (A, :8083) from the last seq it processed, with the SDK's jittered backoff ({@link Backoff}, 200 ms … 30 s, a 503's
 * {@code Retry-After} as a floor). While B is down, {@code bench.writers} accounts (20) write one op each through the
 * gateway (an SDK client per writing account), so those devices have frames to replay. Measured from the kill: the
 * time until every device is {@code live} on A, and the frames missed (a break in the {@code prev} chain across the
 * two connections, or a {@code resync}); the machine's floor ({@link Floor}) is printed beside it.
 * Target: all live within 10 s, 0 frames missed.
 * {@code ./mvnw -pl e2e verify -Pbench -Dtest=ReconnectStormBenchmark}; smoke run with {@code -Dbench.devices=20
 * -Dbench.writers=2}.
 */
@Tag("benchmark")
class ReconnectStormBenchmark {

    /** The surviving replica: the stack's notification-service (another one's socket URL with {@code -Dbench.replica-a}). */
    static final String REPLICA_A = System.getProperty("bench.replica-a", "ws://127.0.0.1:8083/ws");
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One device: its sockets (on B, then on A) and the frames it processed. */
    static final class Device {
        final String id;
        final Tokens.TokenSet token;
        /** Its sockets, on B then on A (each keeps its frames). */
        final List<LoopbackSockets.Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        volatile LoopbackSockets.Socket socket;
        volatile long liveAtNanos;
        /** Phases of the move to A (nanoTime): B's socket seen closed, reconnect sent, upgrade answered, welcome. */
        volatile long closedAtNanos;
        volatile long sentAtNanos;
        volatile long upgradedAtNanos;
        volatile long welcomeAtNanos;
        final AtomicInteger failures = new AtomicInteger();

        Device(String id, Tokens.TokenSet token) {
            this.id = id;
            this.token = token;
        }

        List<JsonNode> frames() {
            List<JsonNode> all = new ArrayList<>();
            for (LoopbackSockets.Socket s : List.copyOf(sockets)) {
                all.addAll(s.frames);
            }
            return all;
        }

        long lastSeq() {
            long last = -1;
            for (JsonNode f : frames()) {
                if (f.has("seq") && f.has("prev")) {
                    last = f.path("seq").asLong();
                } else if ("welcome".equals(f.path("type").asText()) && last < 0) {
                    last = f.path("resumeFrom").asLong();
                }
            }
            return last;
        }

        String epoch() {
            return frames().stream().filter(f -> "welcome".equals(f.path("type").asText())).findFirst().orElseThrow()
                    .path("epoch").asText();
        }
    }

    @Test
    void everyDeviceOfAKilledReplicaIsLiveOnTheOtherWithinSeconds() throws Exception {
        LocalStack.ensureFullStack();
        int devices = Integer.getInteger("bench.devices", 10_000);
        int accounts = Math.max(1, Integer.getInteger("bench.accounts", Math.max(1, devices / 10)));
        int writers = Math.min(accounts, Integer.getInteger("bench.writers", 20));
        String run = UUID.randomUUID().toString().substring(0, 8);
        int portB;
        try (ServerSocket s = new ServerSocket(0)) {
            portB = s.getLocalPort();
        }
        Process replicaB = startReplica(portB);
        List<TestUsers.User> users = new ArrayList<>();
        List<Device> all = new ArrayList<>();
        List<ContinuumClient> writing = new ArrayList<>();
        ScheduledExecutorService reconnects = Executors.newScheduledThreadPool(2);
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30)); // the SDK's defaults
        Path disk = Files.createTempDirectory("storm-bench");
        LoopbackSockets clients = new LoopbackSockets(2 * devices);
        int portA = URI.create(REPLICA_A).getPort();
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> ready(portB));
            for (int a = 0; a < accounts; a++) {
                TestUsers.User user = TestUsers.create("storm");
                users.add(user);
                List<String> ids = new ArrayList<>();
                for (int i = a; i < devices; i += accounts) {
                    ids.add("storm-" + i + "-" + run);
                }
                BenchDevices.signIn(user, ids).forEach((id, t) -> all.add(new Device(id, t)));
            }
            for (int a = 0; a < writers; a++) {
                writing.add(SdkPropagationBenchmark.device(disk, "storm-writer-" + a + "-" + run, users.get(a), null));
            }
            List<CompletableFuture<LoopbackSockets.Socket>> opening = new ArrayList<>();
            for (Device d : all) {
                opening.add(clients.device(portB, "/ws", d.token.accessToken(), d.id).thenApply(s -> attach(d, s)));
                if (opening.size() == 200) {
                    opening.forEach(f -> f.orTimeout(120, TimeUnit.SECONDS).join());
                    opening.clear();
                }
            }
            opening.forEach(f -> f.orTimeout(120, TimeUnit.SECONDS).join());
            await().atMost(Duration.ofMinutes(5)).until(() -> all.stream().allMatch(d -> d.liveAtNanos > 0));
            await().atMost(Duration.ofMinutes(2)).until(() -> writing.stream().allMatch(ContinuumClient::online));
            Floor.Figures floor = Floor.measure(200);

            all.forEach(d -> {
                d.liveAtNanos = 0;
                d.welcomeAtNanos = 0;
            });
            long killed = System.nanoTime();
            replicaB.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (Device d : all) {
                d.socket.closedWith.whenComplete((code, e) -> {
                    d.closedAtNanos = System.nanoTime();
                    schedule(reconnects, backoff, d, clients, portA);
                });
            }
            writing.forEach(w -> w.credit("gold", 1, "storm")); // frames the devices of these accounts must replay
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> all.stream().allMatch(d -> d.liveAtNanos > 0));
            long[] live = all.stream().mapToLong(d -> d.liveAtNanos - killed).sorted().toArray();
            System.out.printf("phases after the kill: B's socket closed %s; reconnect sent %s; upgrade answered %s;"
                            + " welcome %s; live %s%n", phase(all, killed, d -> d.closedAtNanos),
                    phase(all, killed, d -> d.sentAtNanos), phase(all, killed, d -> d.upgradedAtNanos),
                    phase(all, killed, d -> d.welcomeAtNanos), phase(all, killed, d -> d.liveAtNanos));
            double settled = live[live.length - 1] / 1e9;
            await().atMost(Duration.ofSeconds(60)).until(() -> writing.stream().allMatch(w -> w.queued() == 0));
            long breaks = 0;
            long resyncs = 0;
            for (Device d : all) {
                List<JsonNode> chain = d.frames().stream().filter(f -> f.has("seq") && f.has("prev")).toList();
                for (int i = 1; i < chain.size(); i++) {
                    if (chain.get(i).path("prev").asLong() != chain.get(i - 1).path("seq").asLong()) {
                        breaks++;
                    }
                }
                resyncs += d.frames().stream().filter(f -> "resync".equals(f.path("type").asText())).count();
            }
            long retries = all.stream().mapToInt(d -> d.failures.get()).sum();
            System.out.printf("%n=== Reconnect storm (replica killed -> every device live on the other) ===%n"
                            + "%d devices of %d accounts (%d writing during the storm); all live %.2f s after the kill;"
                            + " per device: %s; reconnect attempts refused or failed: %d; chain breaks %d, resyncs %d%n%s%n"
                            + "target: all live <= 10 s with 0 frames missed: %s%n",
                    devices, accounts, writers, settled, new Percentiles(live).summary(), retries, breaks, resyncs,
                    floor.summary(), settled <= 10 && breaks == 0 && resyncs == 0 ? "met" : "NOT met");
            assertThat(breaks).as("frames missed across the replica change").isZero();
            assertThat(resyncs).isZero();
        } finally {
            replicaB.destroyForcibly();
            reconnects.shutdownNow();
            writing.forEach(ContinuumClient::close);
            all.forEach(d -> {
                if (d.socket != null) {
                    d.socket.abort();
                }
            });
            clients.close();
            users.forEach(TestUsers.User::delete);
        }
    }

    /** p50 / max of one phase, in ms after the kill (the last attempt of each device). */
    private static String phase(List<Device> all, long killed, java.util.function.ToLongFunction<Device> at) {
        long[] ms = all.stream().mapToLong(at).filter(n -> n > 0).map(n -> (n - killed) / 1_000_000).sorted().toArray();
        return ms.length == 0 ? "-" : "p50 " + ms[ms.length / 2] + " / max " + ms[ms.length - 1] + " ms";
    }

    /** Notes when the device's new socket goes live (now, if "live" came before the listener was set). */
    private static LoopbackSockets.Socket attach(Device d, LoopbackSockets.Socket s) {
        d.socket = s;
        d.sockets.add(s);
        s.onFrame((f, at) -> {
            if ("welcome".equals(f.path("type").asText()) && d.welcomeAtNanos == 0) {
                d.welcomeAtNanos = at;
            }
            if ("live".equals(f.path("type").asText()) && d.liveAtNanos == 0) {
                d.liveAtNanos = at;
            }
        });
        if (d.welcomeAtNanos == 0 && s.frames.stream().anyMatch(f -> "welcome".equals(f.path("type").asText()))) {
            d.welcomeAtNanos = System.nanoTime();
        }
        if (d.liveAtNanos == 0 && s.frames.stream().anyMatch(f -> "live".equals(f.path("type").asText()))) {
            d.liveAtNanos = System.nanoTime();
        }
        return s;
    }

    /** The next reconnect of {@code d} to A, after the SDK's backoff for its failures so far. */
    private static void schedule(ScheduledExecutorService on, Backoff backoff, Device d, LoopbackSockets clients, int portA) {
        schedule(on, backoff, d, null, clients, portA);
    }

    private static void schedule(ScheduledExecutorService on, Backoff backoff, Device d, Duration retryAfter,
            LoopbackSockets clients, int portA) {
        long delay = backoff.delay(d.failures.get(), retryAfter).toMillis();
        on.schedule(() -> {
            String path = URI.create(REPLICA_A).getPath() + "?seq=" + d.lastSeq() + "&epoch=" + d.epoch();
            d.sentAtNanos = System.nanoTime();
            clients.device(portA, path, d.token.accessToken(), d.id).whenComplete((s, e) -> {
                if (e == null) {
                    d.upgradedAtNanos = System.nanoTime();
                    attach(d, s);
                    return;
                }
                d.failures.incrementAndGet();
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                Duration floor = null;
                if (cause instanceof UpgradeRejectedException r && r.getStatus() == 503 && r.getHeaders() != null
                        && r.getHeaders().get("Retry-After") != null) {
                    floor = Duration.ofSeconds(Long.parseLong(r.getHeaders().get("Retry-After")));
                }
                schedule(on, backoff, d, floor, clients, portA);
            });
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** The packaged service on another port, as up.sh runs it (a replica id of its own is drawn at start). */
    private static Process startReplica(int port) throws IOException {
        Path module = RepoPaths.root().resolve("notification-service");
        Path log = Files.createDirectories(RepoPaths.runDir().resolve("logs")).resolve("notification-service-storm-b.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", "target/quarkus-app/quarkus-run.jar").directory(module.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        return pb.start();
    }

    private static boolean ready(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }
}
