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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reconnect storm (issue 15): a second notification-service replica (B, the packaged jar, stack database) holds
 * {@code bench.devices} raw sockets (10,000) of {@code bench.accounts} accounts (devices / 10), registered devices each
 * with its own sign-in ({@link BenchDevices}), on the lean Vert.x client of {@link LoopbackSockets} (the JDK client's
 * own CPU took half of the two vCPUs during the storm, and it noticed B's death ~1.5 s late). Signing in 10,000
 * devices takes longer than the realm's 5-minute access tokens, so the setup behaves as the SDK's devices do: it signs
 * in one account's devices and connects them to B right away (at most 200 upgrades in flight), and a background
 * refresher ({@link TokenRefresher}) refreshes every token older than 150 s and hands the new one to B on the live
 * socket ({@code {"type":"auth",…}}, answered {@code auth-ok}, which re-arms B's close at expiry, 4001); a failed
 * refresh fails the benchmark. Then A is warmed up as a long-running replica is ({@link #warmUp}: every device
 * connects to A until live and closes; {@code -Dbench.warm-a=false} for a cold A). Before the kill the refresher stops,
 * every token is refreshed (A's verified-token cache must not know the tokens of the storm; without the warm-up only
 * those older than 100 s, so that each has at least 3 minutes left for the storm), every {@code auth} must have had its {@code auth-ok} and every socket on
 * B must still be open; the setup's duration and refreshes are printed, then it waits for a quiet machine
 * ({@link Floor#awaitQuiet}: at most 35 % of the CPU busy) and measures the floor.
 * B is killed (SIGKILL); every device reconnects, with its current token, to the stack's replica
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

    /**
     * Tokens older than this are refreshed during the setup: half the realm's 300 s. Earlier than the SDK (60 s before
     * expiry): a pass over thousands of devices, competing with the sign-ins for Keycloak, needs the slack.
     * {@code -Dbench.refresh-after=5} tries the refresh path in a smoke run.
     */
    static final Duration REFRESH_AFTER = Duration.ofSeconds(Long.getLong("bench.refresh-after", 150));
    /** How often the refresher looks for tokens to refresh. */
    static final Duration REFRESH_EVERY = Duration.ofSeconds(5);
    /**
     * Before the kill, tokens older than this are refreshed: the others have over 200 s (of 300) left then, still
     * about 3 minutes once the top-up, the quiet and the floor are over, which the storm's reconnects to A need.
     */
    /** Whether A's connect path is warmed up before the storm ({@link #warmUp}). */
    static final boolean WARM_A = Boolean.parseBoolean(System.getProperty("bench.warm-a", "true"));
    static final Duration TOP_UP_OLDER_THAN = Duration.ofSeconds(Long.getLong("bench.top-up-older-than", 100));

    /**
     * One device: its token, its sockets (on B, then on A) and the frames it processed. The {@code auth-ok} frames
     * of its refreshes carry no {@code seq}/{@code prev}: the chain and {@link #lastSeq} skip them.
     */
    static final class Device {
        final String id;
        /** The current token: refreshed during the setup, used by the reconnect to A. */
        volatile Tokens.TokenSet token;
        /** When {@link #token} was asked for (nanoTime before the request: its age is never under-estimated). */
        volatile long tokenAtNanos;
        /** {@code auth} frames sent on its socket to B; each must be answered {@code auth-ok} before the kill. */
        final AtomicInteger authsSent = new AtomicInteger();
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

        Device(String id, Tokens.TokenSet token, long tokenAtNanos) {
            this.id = id;
            this.token = token;
            this.tokenAtNanos = tokenAtNanos;
        }

        long tokenAgeNanos() {
            return System.nanoTime() - tokenAtNanos;
        }

        /**
         * Refreshes the token and sends the new one on the live socket, as the SDK does before its token expires (B
         * would close the socket with 4001 a second before the old one's expiry). Synchronized: the realm revokes a
         * used refresh token ({@code revokeRefreshToken}), so two refreshes of one device must never overlap. Throws
         * when Keycloak refuses or the frame cannot be written: the benchmark must not go on with a socket that
         * will be closed under it.
         */
        synchronized void refresh() {
            long at = System.nanoTime();
            Tokens.TokenSet fresh;
            try {
                fresh = Tokens.refresh(token.refreshToken());
            } catch (RuntimeException e) {
                throw new IllegalStateException("refreshing the token of device " + id + " failed: " + e.getMessage(), e);
            }
            token = fresh;
            tokenAtNanos = at;
            authsSent.incrementAndGet();
            try {
                // a JWT is base64url and dots: nothing to escape in the JSON string
                socket.send("{\"type\":\"auth\",\"token\":\"" + fresh.accessToken() + "\"}").get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("sending the refreshed token of device " + id + " on its socket failed"
                        + " (socket closed with " + socket.closedWith.getNow(null) + ", token " + tokenAgeNanos() / 1_000_000_000
                        + " s old)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending the refreshed token of device " + id, e);
            }
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

        long authOks() {
            return socket.frames.stream().filter(f -> "auth-ok".equals(f.path("type").asText())).count();
        }
    }

    /**
     * Refreshes the devices' tokens during the setup: a pass every {@link #REFRESH_EVERY} on one scheduled thread
     * (passes never overlap, so neither do two refreshes of a device), the refreshes of a pass on 8 threads, oldest token first (10,000
     * devices signed in at ~130 a second need ~65 refreshes a second, more than one thread's round trips to Keycloak).
     * The first failure stops the passes and is rethrown by {@link #check}, which the setup calls as it goes.
     */
    static final class TokenRefresher implements AutoCloseable {
        private final List<Device> devices;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final ExecutorService pool = Executors.newFixedThreadPool(8);
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final AtomicInteger background = new AtomicInteger();

        /** {@code devices}: a synchronized list the setup appends to. */
        TokenRefresher(List<Device> devices) {
            this.devices = devices;
        }

        void start() {
            long every = REFRESH_EVERY.toMillis();
            timer.scheduleWithFixedDelay(() -> {
                try {
                    background.addAndGet(refreshOlderThan(REFRESH_AFTER));
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    throw e; // no further passes
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }

        /** Throws the failure of a background pass, if there was one. */
        void check() {
            RuntimeException e = failure.get();
            if (e != null) {
                throw new IllegalStateException("token refresh during the setup failed: " + e.getMessage(), e);
            }
        }

        /** Ends the background passes (a running one first completes), then {@link #check}. */
        void stop() throws InterruptedException {
            timer.shutdown();
            if (!timer.awaitTermination(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the token refresher did not stop within 5 minutes");
            }
            check();
        }

        /**
         * Refreshes, in parallel, every device connected to B whose token is older than {@code age} (one not yet
         * connected is left to the next pass: its socket is being opened with its current token); returns how many.
         */
        int refreshOlderThan(Duration age) {
            List<Device> snapshot;
            synchronized (devices) {
                snapshot = List.copyOf(devices);
            }
            List<CompletableFuture<Void>> refreshing = snapshot.stream()
                    .filter(d -> d.socket != null && d.tokenAgeNanos() > age.toNanos())
                    .sorted(java.util.Comparator.comparingLong((Device d) -> d.tokenAtNanos)) // closest to expiry first
                    .map(d -> CompletableFuture.runAsync(d::refresh, pool)).toList();
            try {
                CompletableFuture.allOf(refreshing.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            return refreshing.size();
        }

        @Override
        public void close() {
            timer.shutdownNow();
            pool.shutdownNow();
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
        long setupStart = System.nanoTime();
        Process replicaB = startReplica(portB);
        List<TestUsers.User> users = new ArrayList<>();
        // appended to by this thread while the refresher's thread reads it
        List<Device> all = Collections.synchronizedList(new ArrayList<>());
        TokenRefresher refresher = new TokenRefresher(all);
        List<ContinuumClient> writing = new ArrayList<>();
        ScheduledExecutorService reconnects = Executors.newScheduledThreadPool(2);
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30)); // the SDK's defaults
        Path disk = Files.createTempDirectory("storm-bench");
        LoopbackSockets clients = new LoopbackSockets(3 * devices); // on B, the warm-up on A, then on A
        int portA = URI.create(REPLICA_A).getPort();
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> ready(portB));
            refresher.start();
            // Each account's devices are signed in and connected right away, not all signed in first: 10,000
            // sign-ins outlast the first tokens (the upgrade would be refused, 401). The upgrades stay in flight
            // while the next accounts sign in, at most 200 at a time.
            List<CompletableFuture<LoopbackSockets.Socket>> opening = new ArrayList<>();
            for (int a = 0; a < accounts; a++) {
                refresher.check();
                TestUsers.User user = TestUsers.create("storm");
                users.add(user);
                List<String> ids = new ArrayList<>();
                for (int i = a; i < devices; i += accounts) {
                    ids.add("storm-" + i + "-" + run);
                }
                long signedInAt = System.nanoTime();
                List<Device> mine = new ArrayList<>();
                BenchDevices.signIn(user, ids).forEach((id, t) -> mine.add(new Device(id, t, signedInAt)));
                all.addAll(mine);
                for (Device d : mine) {
                    opening.add(clients.device(portB, "/ws", d.token.accessToken(), d.id).thenApply(s -> attach(d, s)));
                    if (opening.size() == 200) {
                        opening.forEach(f -> f.orTimeout(120, TimeUnit.SECONDS).join());
                        opening.clear();
                    }
                }
            }
            opening.forEach(f -> f.orTimeout(120, TimeUnit.SECONDS).join());
            for (int a = 0; a < writers; a++) {
                writing.add(SdkPropagationBenchmark.device(disk, "storm-writer-" + a + "-" + run, users.get(a), null));
            }
            await().atMost(Duration.ofMinutes(5)).until(() -> {
                refresher.check();
                return all.stream().allMatch(d -> d.liveAtNanos > 0);
            });
            await().atMost(Duration.ofMinutes(2)).until(() -> {
                refresher.check();
                return writing.stream().allMatch(ContinuumClient::online);
            });

            if (WARM_A) {
                long warming = System.nanoTime();
                warmUp(all, clients, portA);
                System.out.printf("warm-up: every device connected to A until live and closed again, in %.1f s%n",
                        (System.nanoTime() - warming) / 1e9);
            }

            // No refresh may run during the measurement; every token gets enough life for the storm instead, and
            // the reconnect to A presents it (a device's current token).
            refresher.stop();
            // After the warm-up every token is replaced: A's verified-token cache holds the ones it saw then, and a
            // device reconnecting after a replica's death presents a token the survivor has never seen.
            int toppedUp = refresher.refreshOlderThan(WARM_A ? Duration.ZERO : TOP_UP_OLDER_THAN);
            awaitAuthOkOnB(all);
            System.out.printf("setup: %.1f s (replica B started, %d devices signed in and connected to B account by"
                            + " account); %d token refreshes sent to B as auth (%d in the background, %d before the kill)%n",
                    (System.nanoTime() - setupStart) / 1e9, devices, refresher.background.get() + toppedUp,
                    refresher.background.get(), toppedUp);
            // the refreshes' and auth-oks' work (and Keycloak's tail of it) is over before the floor and the kill
            Floor.awaitQuiet(0.35, Duration.ofMinutes(2));
            assertOpenOnB(all);
            Floor.Figures floor = Floor.measure(200);

            all.forEach(d -> {
                d.liveAtNanos = 0;
                d.welcomeAtNanos = 0;
            });
            long killed = System.nanoTime();
            System.out.printf("replica B killed at %s%n", java.time.Instant.now());
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
            refresher.close();
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

    /**
     * Waits until B has answered every {@code auth} with {@code auth-ok}: one it refused leaves the old token in
     * force, and B would close that socket (4001) during the measurement.
     */
    private static void awaitAuthOkOnB(List<Device> all) {
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> all.stream().allMatch(d -> d.authOks() >= d.authsSent.get()));
        } catch (ConditionTimeoutException e) {
            Device d = all.stream().filter(x -> x.authOks() < x.authsSent.get()).findFirst().orElseThrow(() -> e);
            throw new IllegalStateException("replica B did not accept a refreshed token within 30 s: device " + d.id
                    + " sent " + d.authsSent.get() + " auth, got " + d.authOks() + " auth-ok; its last frames: "
                    + lastFrames(d), e);
        }
    }

    /** Every device is still connected to B: one closed during the setup would reconnect before the kill. */
    private static void assertOpenOnB(List<Device> all) {
        for (Device d : all) {
            if (!d.socket.isOpen()) {
                throw new IllegalStateException("the socket of device " + d.id + " to replica B closed during the setup"
                        + " (code " + d.socket.closedWith.getNow(null) + "); its last frames: " + lastFrames(d));
            }
        }
    }

    private static List<JsonNode> lastFrames(Device d) {
        List<JsonNode> f = List.copyOf(d.socket.frames);
        return f.subList(Math.max(0, f.size() - 3), f.size());
    }

    /**
     * Each device connects to A once (until {@code live}) and closes again, at most 200 at a time: the surviving
     * replica of a real deployment has served connects for hours, its connect path compiled by the JIT. A replica
     * started a minute before the storm spends most of it compiling (12.80 s against 6.71 s for 2,000 devices,
     * benchmarks.md); {@code -Dbench.warm-a=false} measures that case.
     */
    private static void warmUp(List<Device> all, LoopbackSockets clients, int portA) {
        List<Device> devices = List.copyOf(all);
        for (int from = 0; from < devices.size(); from += 200) {
            List<CompletableFuture<LoopbackSockets.Socket>> batch = new ArrayList<>();
            for (Device d : devices.subList(from, Math.min(devices.size(), from + 200))) {
                batch.add(clients.device(portA, "/ws", d.token.accessToken(), d.id)
                        .thenCompose(s -> s.firstOfType("live").thenApply(at -> s)));
            }
            batch.forEach(f -> f.orTimeout(120, TimeUnit.SECONDS).join().abort());
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
        s.firstOfType("welcome").thenAccept(at -> {
            if (d.welcomeAtNanos == 0) {
                d.welcomeAtNanos = at;
            }
        });
        s.firstOfType("live").thenAccept(at -> {
            if (d.liveAtNanos == 0) {
                d.liveAtNanos = at;
            }
        });
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
