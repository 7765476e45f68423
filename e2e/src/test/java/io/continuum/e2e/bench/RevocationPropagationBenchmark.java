package io.continuum.e2e.bench;

import io.continuum.testing.TestUsers;
import io.continuum.testing.LocalStack;
import io.continuum.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Revocation propagation (docs/benchmarks.md): time from {@code DELETE /api/auth/devices/{id}} returning to the
 * first call of the revoked device's still-valid access token that session-service refuses. The path measured:
 * auth-service commit → outbox relay (LISTEN/NOTIFY) → Kafka → session-service's revocation consumer → its
 * in-memory set. The probe calls session-service's whoami back to back (no sleep), through the gateway and
 * directly, so the figure includes at most one call's latency of slack. Run with the full stack up:
 * {@code ./mvnw -pl e2e test -Pbench -Dtest=RevocationPropagationBenchmark}; {@code -Dbench.revocation.runs=N}.
 */
@Tag("benchmark")
class RevocationPropagationBenchmark {

    static final int RUNS = Integer.getInteger("bench.revocation.runs", 200);
    static final String STATE = System.getProperty("bench.state.url", "http://127.0.0.1:8082");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Registrations are rate-limited per account (30/min): a fresh account every 20 runs. */
    static final int RUNS_PER_ACCOUNT = 20;
    static final java.util.List<TestUsers.User> users = new java.util.ArrayList<>();

    @BeforeAll
    static void stack() {
        LocalStack.ensureFullStack();
    }

    @AfterAll
    static void cleanUp() {
        users.forEach(TestUsers.User::delete);
    }

    @Test
    void revocationPropagation() throws Exception {
        for (String probeBase : new String[] {STATE, LocalStack.GATEWAY_URL}) {
            measure(probeBase, 10, false); // warm-up
            long[] samples = measure(probeBase, RUNS, true);
            long[] deletes = Arrays.copyOfRange(samples, RUNS, 2 * RUNS);
            long[] propagation = Arrays.copyOf(samples, RUNS);
            Arrays.sort(propagation);
            Arrays.sort(deletes);
            System.out.printf("REVOCATION probe=%-24s runs=%d propagation p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms"
                            + " | DELETE latency p50=%.1f ms p99=%.1f ms%n",
                    probeBase, RUNS, ms(pct(propagation, 50)), ms(pct(propagation, 90)), ms(pct(propagation, 99)),
                    ms(propagation[RUNS - 1]), ms(pct(deletes, 50)), ms(pct(deletes, 99)));
        }
    }

    /** Per run: sign in a "phone", register it, revoke it from a "laptop", probe until refused. */
    long[] measure(String probeBase, int runs, boolean report) throws Exception {
        long[] out = new long[2 * runs];
        TestUsers.User user = null;
        Tokens.TokenSet laptop = null;
        for (int i = 0; i < runs; i++) {
            if (i % RUNS_PER_ACCOUNT == 0) {
                user = TestUsers.create("bench-rev");
                users.add(user);
                laptop = user.signIn();
                register(laptop, "desktop");
            }
            Tokens.TokenSet phone = user.signIn();
            String phoneId = register(phone, "phone");
            if (status(probeBase, phone.accessToken()) != 200) {
                throw new AssertionError("the phone's token is not accepted before revocation");
            }
            long before = System.nanoTime();
            int deleted = send(HttpRequest.newBuilder(URI.create(LocalStack.GATEWAY_URL + "/api/auth/devices/" + phoneId))
                    .header("Authorization", "Bearer " + laptop.accessToken()).DELETE().build()).statusCode();
            long returned = System.nanoTime();
            if (deleted != 204) {
                throw new AssertionError("DELETE answered " + deleted);
            }
            while (status(probeBase, phone.accessToken()) != 401) {
                if (System.nanoTime() - returned > 10_000_000_000L) {
                    throw new AssertionError("not refused within 10 s");
                }
            }
            out[i] = System.nanoTime() - returned;
            out[runs + i] = returned - before;
        }
        return out;
    }

    static String register(Tokens.TokenSet t, String kind) throws Exception {
        String id = kind + "-" + UUID.randomUUID();
        String body = "{\"deviceId\":\"" + id + "\",\"kind\":\"" + kind + "\",\"platform\":\"bench\",\"displayName\":\"" + kind + "\"}";
        int s = send(HttpRequest.newBuilder(URI.create(LocalStack.GATEWAY_URL + "/api/auth/devices"))
                .header("Authorization", "Bearer " + t.accessToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()).statusCode();
        if (s != 201) {
            throw new AssertionError("register answered " + s);
        }
        return id;
    }

    static int status(String base, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/state/whoami"))
                .header("Authorization", "Bearer " + token).GET().build()).statusCode();
    }

    static HttpResponse<String> send(HttpRequest r) throws Exception {
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    }

    static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }
}
