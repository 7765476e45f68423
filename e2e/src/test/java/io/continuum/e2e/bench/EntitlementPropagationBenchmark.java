package io.continuum.e2e.bench;

import io.continuum.e2e.billing.StripeWebhook;
import io.continuum.e2e.notifications.WsDevice;
import io.continuum.testing.DeviceRegistrations;
import io.continuum.testing.LocalStack;
import io.continuum.testing.TestUsers;
import io.continuum.testing.Tokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

/**
 * Entitlement propagation (docs/benchmarks.md): a signed webhook sent to the gateway → the {@code premium}
 * entitlement frame received on EVERY connected device of the account (5 devices), with 1,000 other sockets of two
 * other accounts connected. Path: gateway → billing-sync-service (signature, one transaction: webhook + subscription +
 * entitlement + outbox) → relay → Kafka {@code billing.events} → notification-service → 5 WebSockets. Each run sends a
 * {@code customer.subscription.updated} that flips {@code cancel_at_period_end}, so the entitlement's state changes
 * (active ↔ canceled) every time. The figure per run is the LAST of the 5 devices. Prints the machine floor of the
 * same run beside it. Full stack up, then:
 * {@code ./mvnw -pl e2e test -Pbench -Dtest=EntitlementPropagationBenchmark}
 * ({@code -Dbench.billing.runs=500 -Dbench.billing.background=1000 -Dbench.billing.devices=5}).
 *
 * <p>{@link #entitlementReadUnderConcurrentLoad()}: {@code GET /api/billing/entitlements} of an account holding
 * {@code premium}, 8 and 32 client threads, on billing-sync-service's port and through the gateway.
 */
@Tag("benchmark")
class EntitlementPropagationBenchmark {

    @Test
    void signedWebhookToEntitlementFrameOnEveryDevice() throws Exception {
        LocalStack.ensureFullStack();
        int runs = Integer.getInteger("bench.billing.runs", 500);
        int warmup = Integer.getInteger("bench.billing.warmup", 20);
        int background = Integer.getInteger("bench.billing.background", 1000);
        int deviceCount = Integer.getInteger("bench.billing.devices", 5);
        String gw = LocalStack.GATEWAY_URL;
        String ws = gw.replaceFirst("^http", "ws");
        String run = UUID.randomUUID().toString().substring(0, 6);
        List<TestUsers.User> users = List.of(TestUsers.create("ent-a"), TestUsers.create("ent-b"), TestUsers.create("ent-c"));
        List<WsDevice> sockets = new ArrayList<>();
        try {
            TestUsers.User owner = users.get(0);
            // every socket is a registered device of its own sign-in (/ws refuses others), set up outside the measured time
            List<String> bgIds = new ArrayList<>();
            for (int i = 0; i < background; i++) {
                bgIds.add("bg-" + run + "-" + i);
            }
            Map<String, Tokens.TokenSet> bgTokens = new java.util.HashMap<>(
                    BenchDevices.signIn(users.get(1), bgIds.subList(0, background / 2)));
            bgTokens.putAll(BenchDevices.signIn(users.get(2), bgIds.subList(background / 2, background)));
            List<CompletableFuture<WsDevice>> pending = new ArrayList<>();
            for (int i = 0; i < background; i++) {
                pending.add(WsDevice.connect(ws, bgTokens.get(bgIds.get(i)).accessToken(), bgIds.get(i), false));
                if (pending.size() == 100 || i == background - 1) {
                    pending.forEach(f -> sockets.add(f.orTimeout(60, TimeUnit.SECONDS).join()));
                    pending.clear();
                }
            }
            List<WsDevice> devices = new ArrayList<>();
            // woken by each frame (no polling loop: a 1 ms poll took CPU from the services it measures)
            Semaphore premiumFrames = new Semaphore(0);
            List<ConcurrentLinkedQueue<Long>> arrivals = new ArrayList<>();
            for (int i = 0; i < deviceCount; i++) {
                Tokens.TokenSet t = owner.signIn();
                String id = "dev-" + i + "-" + run;
                DeviceRegistrations.register(t, id);
                WsDevice d = WsDevice.open(ws, t.accessToken(), id);
                d.awaitType("live", Duration.ofSeconds(30));
                ConcurrentLinkedQueue<Long> q = new ConcurrentLinkedQueue<>();
                d.onFrame((f, at) -> {
                    if ("continuum.billing.entitlement-changed.v1".equals(f.path("type").asText())
                            && "premium".equals(f.path("data").path("entitlement").asText())) {
                        q.add(at);
                        premiumFrames.release();
                    }
                });
                devices.add(d);
                arrivals.add(q);
                sockets.add(d);
            }
            System.out.printf("connected %d background sockets and %d devices%n", background, deviceCount);

            String subId = "sub_bench_" + run;
            long created = System.currentTimeMillis() / 1000;
            long periodEnd = created + 30L * 86400;
            long[] samples = new long[runs];
            long[] answered = new long[runs]; // the webhook's 200: billing's share of the path
            for (int i = -1; i < warmup + runs; i++) {
                int expected = i + 2; // premium frames per device after this step (the first step creates the subscription)
                String type = i < 0 ? "customer.subscription.created" : "customer.subscription.updated";
                boolean cancel = i >= 0 && i % 2 == 0;
                String body = StripeWebhook.subscriptionEvent(type, "evt_bench_" + run + "_" + i, created + i + 1, subId,
                        owner.id(), "active", cancel, periodEnd);
                long t0 = System.nanoTime();
                int status = StripeWebhook.post(gw, body).statusCode();
                long t1 = System.nanoTime();
                if (status != 200) {
                    throw new AssertionError("webhook answered " + status);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!arrivals.stream().allMatch(q -> q.size() >= expected)) {
                    if (!premiumFrames.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        throw new AssertionError("step " + i + ": not every device got its premium frame within 30 s");
                    }
                }
                long last = arrivals.stream().mapToLong(q -> q.stream().skip(expected - 1).findFirst().orElseThrow()).max().orElseThrow();
                if (i >= warmup) {
                    samples[i - warmup] = last - t0;
                    answered[i - warmup] = t1 - t0;
                }
            }
            Arrays.sort(samples);
            System.out.printf("ENTITLEMENT webhook→frame on all %d devices (%d other sockets) runs=%d p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms%n",
                    deviceCount, background, runs, Floor.ms(Floor.pct(samples, 50)), Floor.ms(Floor.pct(samples, 90)),
                    Floor.ms(Floor.pct(samples, 99)), Floor.ms(samples[runs - 1]));
            Arrays.sort(answered);
            System.out.printf("ENTITLEMENT of which the webhook's answer (billing-sync-service's transaction) p50=%.1f ms p90=%.1f ms p99=%.1f ms%n",
                    Floor.ms(Floor.pct(answered, 50)), Floor.ms(Floor.pct(answered, 90)), Floor.ms(Floor.pct(answered, 99)));
            System.out.println(Floor.measure(Math.max(20, Math.min(runs, 200))).summary());
        } finally {
            sockets.forEach(WsDevice::abort);
            users.forEach(TestUsers.User::delete);
        }
    }

    @Test
    void entitlementReadUnderConcurrentLoad() throws Exception {
        LocalStack.ensureFullStack();
        String service = System.getProperty("bench.billing.url", "http://127.0.0.1:8084");
        int requests = Integer.getInteger("bench.billing.reads", 4_000);
        TestUsers.User owner = TestUsers.create("ent-read");
        try {
            Tokens.TokenSet t = owner.signIn();
            DeviceRegistrations.register(t, "reader");
            String run = UUID.randomUUID().toString().substring(0, 6);
            long created = System.currentTimeMillis() / 1000;
            String body = StripeWebhook.subscriptionEvent("customer.subscription.created", "evt_read_" + run, created,
                    "sub_read_" + run, owner.id(), "active", false, created + 30L * 86400);
            if (StripeWebhook.post(LocalStack.GATEWAY_URL, body).statusCode() != 200) {
                throw new AssertionError("webhook refused");
            }
            for (String base : List.of(service, LocalStack.GATEWAY_URL)) {
                java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/billing/entitlements"))
                        .header("Authorization", "Bearer " + t.accessToken()).header("X-Device-Id", "reader").GET().build();
                await().atMost(Duration.ofSeconds(10)).until(() -> StateSyncBenchmark.HTTP.send(get,
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body().contains("premium"));
                java.net.URI uri = java.net.URI.create(base + "/api/billing/entitlements");
                Map<String, String> headers = Map.of("Authorization", "Bearer " + t.accessToken(), "X-Device-Id", "reader");
                for (int threads : new int[] {8, 32}) {
                    // the same load from two clients: the JDK's HttpClient, and the lean keep-alive client
                    // (KeepAliveLoad) whose own CPU takes less from the server on these two vCPUs
                    for (String client : List.of("jdk-httpclient", "keep-alive")) {
                        KeepAliveLoad.Load load = client.equals("jdk-httpclient") ? n -> StateSyncBenchmark.run(threads, n, get)
                                : n -> KeepAliveLoad.run(threads, n, uri, headers);
                        load.send(500); // warm-up
                        long[] lat = load.send(requests);
                        long wall = lat[lat.length - 1];
                        long[] samples = Arrays.copyOf(lat, lat.length - 1);
                        Arrays.sort(samples);
                        System.out.printf("ENTITLEMENTS GET %-24s %-14s threads=%2d requests=%d p50=%.2f ms p99=%.2f ms max=%.2f ms throughput=%.0f req/s%n",
                                base, client, threads, samples.length, Floor.ms(Floor.pct(samples, 50)), Floor.ms(Floor.pct(samples, 99)),
                                Floor.ms(samples[samples.length - 1]), samples.length / (wall / 1e9));
                    }
                }
                // latency at fixed offered loads, counted from when each request was due (KeepAliveLoad.runAtRate)
                KeepAliveLoad.printOpenLoopRows("ENTITLEMENTS GET", uri, headers);
            }
            System.out.println(Floor.measure(200).summary());
        } finally {
            owner.delete();
        }
    }
}
