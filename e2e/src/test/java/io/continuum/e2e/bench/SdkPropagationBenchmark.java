package io.continuum.e2e.bench;

import io.continuum.e2e.notifications.WsDevice;
import io.continuum.testing.Tokens;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;

import io.continuum.client.AccountState;
import io.continuum.client.ContinuumClient;
import io.continuum.client.ContinuumListener;
import io.continuum.e2e.notifications.Percentiles;
import io.continuum.testing.LocalStack;
import io.continuum.testing.TestUsers;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device-to-device propagation with SDK devices, from the <b>user's action</b> (the op submitted on device A, before
 * its request is even sent) to the change shown on device B, through the gateway: {@code bench.devices} devices
 * connected (default 1,000: the measured SDK pair and idle raw sockets for the rest, {@code bench.devicesPerAccount}
 * (default 5) per account: first the other devices of the {@code bench.accounts} (default 20) writing accounts, then
 * quiet accounts), A writing {@code bench.rate} writes/s (default 20) for {@code bench.seconds} (default 30) while
 * {@code bench.background} writes/s (default 200) come from one more device of each writing account, posted over lean
 * keep-alive connections ({@link BackgroundWrites}). Prints the percentiles beside the machine's floor
 * ({@link Floor}, same run) and writes {@code e2e/target/sdk-propagation.png}. Target: p50 ≤ 2 × floor, p99 ≤ 30 ms.
 * Smoke run: {@code ./mvnw -pl e2e verify -Pbench -Dtest=SdkPropagationBenchmark -Dbench.devices=6 -Dbench.seconds=3
 * -Dbench.background=5 -Dbench.accounts=2}.
 */
@Tag("benchmark")
class SdkPropagationBenchmark {

    static int prop(String name, int def) {
        return Integer.getInteger("bench." + name, def);
    }

    @Test
    void propagationFromRequestSentToFrameOnAnotherDevice() throws Exception {
        LocalStack.ensureFullStack();
        int devices = prop("devices", 1000);
        int accounts = Math.max(1, prop("accounts", 20));
        int rate = prop("rate", 20);
        int seconds = prop("seconds", 30);
        int background = prop("background", 200);
        Path disk = Files.createTempDirectory("sdk-bench");
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<TestUsers.User> users = new ArrayList<>();
        List<ContinuumClient> all = Collections.synchronizedList(new ArrayList<>());
        List<WsDevice> idleSockets = new ArrayList<>();
        ExecutorService load = Executors.newFixedThreadPool(BackgroundWrites.THREADS);
        try {
            TestUsers.User measured = TestUsers.create("bench-pair");
            users.add(measured);
            for (int i = 0; i < accounts; i++) {
                users.add(TestUsers.create("bench-bg"));
            }
            Map<String, Long> pending = new ConcurrentHashMap<>();
            List<Long> samples = Collections.synchronizedList(new ArrayList<>());
            ContinuumClient a = device(disk, "a-" + run, measured, null);
            ContinuumClient b = device(disk, "b-" + run, measured, new ContinuumListener() {
                @Override
                public void onState(AccountState s) {
                    long now = System.nanoTime();
                    pending.forEach((content, sent) -> {
                        if (s.playback(content).isPresent() && pending.remove(content) != null) {
                            samples.add(now - sent);
                        }
                    });
                }
            });
            all.add(a);
            all.add(b);
            // the idle devices: devicesPerAccount per account, like real accounts (a phone, a laptop, a TV...): first
            // the writing accounts' other devices (they receive the background's frames), then quiet accounts of
            // their own. One account with 49 devices would make the background 10,000 frames/s of fan-out.
            int idleCount = Math.max(0, devices - 2);
            int perAccount = Math.max(1, prop("devicesPerAccount", 5));
            Map<String, Tokens.TokenSet> idleTokens = new java.util.HashMap<>();
            int idleIndex = 0;
            for (int k = 0; idleIndex < idleCount; k++) {
                TestUsers.User owner;
                int count;
                if (k < accounts) {
                    owner = users.get(1 + k);
                    count = Math.min(perAccount - 1, idleCount - idleIndex);
                } else {
                    owner = TestUsers.create("bench-quiet");
                    users.add(owner);
                    count = Math.min(perAccount, idleCount - idleIndex);
                }
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    ids.add("idle-" + idleIndex++ + "-" + run);
                }
                idleTokens.putAll(BenchDevices.signIn(owner, ids));
            }
            String ws = LocalStack.GATEWAY_URL.replaceFirst("^http", "ws");
            List<CompletableFuture<WsDevice>> opening = new ArrayList<>();
            for (Map.Entry<String, Tokens.TokenSet> e : idleTokens.entrySet()) {
                opening.add(WsDevice.connect(ws, e.getValue().accessToken(), e.getKey(), false));
                if (opening.size() == 100) {
                    opening.forEach(f -> idleSockets.add(f.orTimeout(60, TimeUnit.SECONDS).join()));
                    opening.clear();
                }
            }
            opening.forEach(f -> idleSockets.add(f.orTimeout(60, TimeUnit.SECONDS).join()));
            // the background: one writing device per other account, posting over lean keep-alive connections. These
            // devices stand for phones elsewhere: as SDK clients (own executor, HTTP client, store each) on this JVM they
            // took up to a core of the two the measured stack runs on (docs/benchmarks.md). Signed in last, so
            // their 5-minute tokens are fresh when the measured writes start
            Map<String, Tokens.TokenSet> writers = new java.util.LinkedHashMap<>();
            for (int i = 0; i < accounts; i++) {
                writers.putAll(BenchDevices.signIn(users.get(1 + i), List.of("writer-" + i + "-" + run)));
            }
            await().atMost(Duration.ofMinutes(5)).until(() -> all.stream().allMatch(ContinuumClient::online));
            System.out.printf("connected: 2 measured SDK devices, %d idle sockets; %d writing devices (HTTP)%n", idleSockets.size(), writers.size());
            Floor.Figures floor = Floor.measure(200);

            BackgroundWrites bg = new BackgroundWrites(writers, background, run);
            for (int t = 0; t < BackgroundWrites.THREADS; t++) {
                load.execute(bg::run);
            }
            int total = rate * seconds;
            // warm-up: the same writes for bench.warmup seconds (default 5), not measured: the SDK's code in this JVM is
            // still interpreted at first (a 3 s smoke run's p50 was 142 ms, most of it the JIT)
            int warmup = rate * prop("warmup", 5);
            for (int i = -warmup; i < total; i++) {
                String content = "bench-" + run + "-" + i;
                long due = System.nanoTime() + 1_000_000_000L / rate;
                if (i >= 0) {
                    pending.put(content, System.nanoTime());
                }
                a.playback(content, 60_000 + i, 5_400_000, "paused"); // a resume point (0 would be "not started")
                // sleep until the next write is due: a 1 ms polling loop here took CPU from the services it measures
                for (long left; (left = due - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(left);
                }
            }
            try {
                await().atMost(Duration.ofSeconds(30)).until(pending::isEmpty);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(pending.size() + " of " + total + " writes never shown on B, e.g. "
                        + pending.keySet().stream().limit(3).toList() + "; samples " + samples.size(), e);
            }
            bg.stop();
            load.shutdownNow();
            if (bg.failed.get() > 0) {
                throw new AssertionError(bg.failed.get() + " background writes failed, e.g. " + bg.lastFailure);
            }

            long[] nanos = samples.stream().mapToLong(Long::longValue).toArray();
            Percentiles p = new Percentiles(nanos);
            Path png = Histogram.write(Path.of("target", "sdk-propagation.png"),
                    String.format("SDK device-to-device, %d devices, %d writes/s + %d background", devices, rate, background),
                    nanos, 50, floor.p50Ms());
            System.out.printf("%n=== SDK device-to-device propagation (user action on A -> change shown on B) ===%n"
                            + "devices connected %d, measured %d writes/s for %d s, background %d writes/s from %d other accounts (%d sent)%n"
                            + "propagation: %s%n%s%n"
                            + "target p50 <= 2 x floor (%.2f ms): %s; p99 <= 30 ms: %s%nhistogram: %s%n",
                    devices, rate, seconds, background, accounts, bg.sent.get(), p.summary(), floor.summary(), 2 * floor.p50Ms(),
                    p.ms(50) <= 2 * floor.p50Ms() ? "met" : "NOT met", p.ms(99) <= 30 ? "met" : "NOT met", png.toAbsolutePath());
        } finally {
            load.shutdownNow();
            all.forEach(ContinuumClient::close);
            idleSockets.forEach(WsDevice::abort);
            users.forEach(TestUsers.User::delete);
        }
    }

    /**
     * {@code perSecond} single-op {@code wallet.credit} batches a second in all, each from a random writing device, sent
     * by {@link #THREADS} threads that call {@link #run} (each on its own keep-alive connection to the gateway, its share of the rate
     * paced from a schedule: a late answer is caught up, not dropped).
     */
    static final class BackgroundWrites {
        /** Sender threads: each waits for its answer, so one thread carries 1 / (round trip) writes a second at most. */
        static final int THREADS = 8;
        final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        volatile String lastFailure;
        private final List<Map.Entry<String, Tokens.TokenSet>> writers;
        private final int perSecond;
        private final String run;
        private final java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        private volatile boolean stopped;

        BackgroundWrites(Map<String, Tokens.TokenSet> writers, int perSecond, String run) {
            this.writers = List.copyOf(writers.entrySet());
            this.perSecond = perSecond;
            this.run = run;
        }

        void run() {
            if (perSecond <= 0 || writers.isEmpty()) {
                return;
            }
            int thread = threads.getAndIncrement();
            long interval = THREADS * 1_000_000_000L / perSecond; // the sender threads share the rate
            URI gateway = URI.create(LocalStack.GATEWAY_URL);
            try (KeepAliveLoad.Connection c = new KeepAliveLoad.Connection(gateway)) {
                long due = System.nanoTime();
                for (long n = 0; !stopped && !Thread.currentThread().isInterrupted(); n++) {
                    for (long left; (left = due - System.nanoTime()) > 0 && !stopped; ) {
                        LockSupport.parkNanos(left);
                    }
                    due += interval;
                    var w = writers.get(ThreadLocalRandom.current().nextInt(writers.size()));
                    String body = "{\"ops\":[{\"opId\":\"bg-" + run + "-" + thread + "-" + n
                            + "\",\"kind\":\"wallet.credit\",\"currency\":\"gold\",\"amount\":1,\"reason\":\"bench\"}]}";
                    int status = c.exchange(KeepAliveLoad.encode("POST", URI.create(LocalStack.GATEWAY_URL + "/api/state/ops"),
                            Map.of("Authorization", "Bearer " + w.getValue().accessToken(), "X-Device-Id", w.getKey(),
                                    "Content-Type", "application/json"), body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    sent.incrementAndGet();
                    if (status != 200) {
                        failed.incrementAndGet();
                        lastFailure = "status " + status;
                    }
                }
            } catch (Exception e) {
                if (!stopped) {
                    failed.incrementAndGet();
                    lastFailure = e.toString();
                }
            }
        }

        void stop() {
            stopped = true;
        }
    }

    static ContinuumClient device(Path disk, String id, TestUsers.User user, ContinuumListener listener) {
        ContinuumClient.Builder b = ContinuumClient.builder().gateway(LocalStack.GATEWAY_URL).keycloak(LocalStack.KEYCLOAK_URL)
                .device(id, "phone", "java", id).store(disk.resolve(id)).keepRefreshToken(false);
        if (listener != null) {
            b.listener(listener);
        }
        return b.build().signInWithPassword(user.username(), user.password()).start();
    }
}
