package io.continuum.e2e.bench;

import io.continuum.testing.TestUsers;
import io.continuum.e2e.notifications.WsDevice;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fan-out throughput: 1,000 devices of one account connected to one replica through the gateway; a burst of
 * {@code bench.events} critical events (wallet credits, never coalesced) written through session-service; frames
 * delivered per second = devices × events / (first write sent → last device received its last frame).
 * {@code ./mvnw -pl e2e test -Pbench -Dtest=FanoutThroughputBenchmark}.
 */
@Tag("benchmark")
class FanoutThroughputBenchmark {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void framesPerSecondAt1000Devices() throws Exception {
        LocalStack.ensureFullStack();
        int devices = Integer.getInteger("bench.devices", 1000);
        int events = Integer.getInteger("bench.events", 200);
        int batch = 50;
        String gw = LocalStack.GATEWAY_URL;
        String ws = gw.replaceFirst("^http", "ws");
        String run = UUID.randomUUID().toString().substring(0, 6);
        TestUsers.User user = TestUsers.create("fanout");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            ids.add("fan-" + run + "-" + i);
        }
        ids.add("fan-writer-" + run);
        java.util.Map<String, Tokens.TokenSet> signedIn = BenchDevices.signIn(user, ids);
        Tokens.TokenSet alice = signedIn.get("fan-writer-" + run);
        String currency = "fan" + run;
        List<WsDevice> all = new ArrayList<>();
        List<CompletableFuture<WsDevice>> pending = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            pending.add(WsDevice.connect(ws, signedIn.get(ids.get(i)).accessToken(), ids.get(i), false));
            if (pending.size() == 100) {
                pending.forEach(f -> all.add(f.orTimeout(60, TimeUnit.SECONDS).join()));
                pending.clear();
            }
        }
        pending.forEach(f -> all.add(f.orTimeout(60, TimeUnit.SECONDS).join()));
        AtomicLong done = new AtomicLong();
        AtomicLong lastArrival = new AtomicLong();
        long[] counts = new long[devices];
        for (int i = 0; i < devices; i++) {
            int idx = i;
            all.get(i).onFrame((f, at) -> {
                if (currency.equals(f.path("data").path("key").asText())) {
                    if (++counts[idx] == events) {
                        done.incrementAndGet();
                        lastArrival.accumulateAndGet(at, Math::max);
                    }
                }
            });
        }
        // let the connection-time frames (welcome, live, presence) drain
        await().atMost(Duration.ofMinutes(2)).pollDelay(Duration.ofSeconds(2)).until(() -> {
            long before = all.stream().mapToLong(d -> d.received.get()).sum();
            Thread.sleep(1000); // quiet-period probe: the count must stay still for a second
            return all.stream().mapToLong(d -> d.received.get()).sum() == before;
        });
        long start = System.nanoTime();
        for (int sent = 0; sent < events; sent += batch) {
            StringBuilder ops = new StringBuilder("{\"ops\":[");
            for (int j = 0; j < batch && sent + j < events; j++) {
                if (j > 0) {
                    ops.append(',');
                }
                ops.append("{\"opId\":\"fan-").append(run).append('-').append(sent + j)
                        .append("\",\"kind\":\"wallet.credit\",\"currency\":\"").append(currency).append("\",\"amount\":1}");
            }
            ops.append("]}");
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(gw + "/api/state/ops"))
                    .header("Authorization", "Bearer " + alice.accessToken()).header("X-Device-Id", "fan-writer-" + run)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ops.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20)).until(() -> done.get() == devices);
        double seconds = (lastArrival.get() - start) / 1e9;
        long frames = (long) devices * events;
        long closed = all.stream().filter(d -> !d.isOpen()).count();
        System.out.println("=== FanoutThroughputBenchmark ===");
        System.out.printf("%d devices x %d events = %d frames delivered in %.2f s: %.0f frames/s (closed sockets: %d)%n",
                devices, events, frames, seconds, frames / seconds, closed);
        all.forEach(WsDevice::abort);
        user.delete();
        assertThat(closed).isZero();
    }
}
