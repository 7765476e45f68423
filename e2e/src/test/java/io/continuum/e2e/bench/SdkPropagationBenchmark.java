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
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device-to-device propagation with SDK devices, from the <b>user's action</b> (the op submitted on device A, before
 * its request is even sent) to the change shown on device B, through the gateway: {@code bench.devices} devices
 * connected (default 1,000: the measured SDK pair, one writing SDK device per {@code bench.accounts} other account,
 * and idle raw sockets for the rest, {@code bench.devicesPerAccount} (default 5) per account: the writing accounts'
 * other devices first, then quiet accounts), A writing
 * {@code bench.rate} writes/s (default 20) for {@code bench.seconds} (default 30) while {@code bench.background}
 * writes/s (default 200) come from the writing accounts. Prints the percentiles beside the machine's floor
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
        ExecutorService signIn = Executors.newFixedThreadPool(8);
        ScheduledExecutorService load = Executors.newScheduledThreadPool(2);
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
            // the background: one SDK client per other account (they write), the rest idle raw sockets — 1,000 full
            // SDK clients (own executor, HTTP client and store each) would drown two cores before the first sample
            List<Future<ContinuumClient>> writers = new ArrayList<>();
            for (int i = 0; i < accounts; i++) {
                TestUsers.User u = users.get(1 + i);
                String id = "writer-" + i + "-" + run;
                writers.add(signIn.submit(() -> device(disk, id, u, null)));
            }
            List<ContinuumClient> others = new ArrayList<>();
            for (Future<ContinuumClient> f : writers) {
                others.add(f.get(5, TimeUnit.MINUTES));
            }
            all.addAll(others);
            // the idle devices: devicesPerAccount per account, like real accounts (a phone, a laptop, a TV...): first
            // the writing accounts' other devices (they receive the background's frames), then quiet accounts of
            // their own. One account with 49 devices would make the background 10,000 frames/s of fan-out.
            int idleCount = Math.max(0, devices - 2 - accounts);
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
            await().atMost(Duration.ofMinutes(5)).until(() -> all.stream().allMatch(ContinuumClient::online));
            System.out.printf("connected: 2 measured SDK devices, %d writing SDK devices, %d idle sockets%n", others.size(), idleSockets.size());
            Floor.Figures floor = Floor.measure(200);

            if (background > 0 && !others.isEmpty()) {
                load.scheduleAtFixedRate(() -> others.get(ThreadLocalRandom.current().nextInt(others.size())).credit("gold", 1, "bench"),
                        0, 1_000_000 / background, TimeUnit.MICROSECONDS);
            }
            int total = rate * seconds;
            for (int i = 0; i < total; i++) {
                String content = "bench-" + run + "-" + i;
                long due = System.nanoTime() + 1_000_000_000L / rate;
                pending.put(content, System.nanoTime());
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
            load.shutdownNow();

            long[] nanos = samples.stream().mapToLong(Long::longValue).toArray();
            Percentiles p = new Percentiles(nanos);
            Path png = Histogram.write(Path.of("target", "sdk-propagation.png"),
                    String.format("SDK device-to-device, %d devices, %d writes/s + %d background", devices, rate, background),
                    nanos, 50, floor.p50Ms());
            System.out.printf("%n=== SDK device-to-device propagation (user action on A -> change shown on B) ===%n"
                            + "devices connected %d, measured %d writes/s for %d s, background %d writes/s from %d other accounts%n"
                            + "propagation: %s%n%s%n"
                            + "target p50 <= 2 x floor (%.2f ms): %s; p99 <= 30 ms: %s%nhistogram: %s%n",
                    devices, rate, seconds, background, accounts, p.summary(), floor.summary(), 2 * floor.p50Ms(),
                    p.ms(50) <= 2 * floor.p50Ms() ? "met" : "NOT met", p.ms(99) <= 30 ? "met" : "NOT met", png.toAbsolutePath());
        } finally {
            load.shutdownNow();
            signIn.shutdownNow();
            all.forEach(ContinuumClient::close);
            idleSockets.forEach(WsDevice::abort);
            users.forEach(TestUsers.User::delete);
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
