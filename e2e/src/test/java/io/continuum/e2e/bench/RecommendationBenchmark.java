package io.continuum.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.continuum.testing.LocalStack;
import io.continuum.testing.TestUsers;
import io.continuum.testing.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * recommendation-service at size (issue 13): {@code bench.recs.items} items × {@code bench.recs.users} users with
 * {@code bench.recs.per-user} interactions each (defaults 10,000 × 10,000 × 30), then
 * <ol>
 *   <li>full retrain time and model memory (admin endpoints, service-account token with the realm role admin);</li>
 *   <li>latency of {@code GET /api/recommendations?limit=10} through the gateway, {@code bench.recs.requests} requests
 *       after a warm-up, timed from the request sent (target p99 ≤ 20 ms);</li>
 *   <li>event → effect: a user finishes the item at the top of their list with a {@code playback.set} op through the
 *       gateway; timed from that request sent until a {@code GET} no longer lists the item (target ≤ 2 s),
 *       {@code bench.recs.effects} times.</li>
 * </ol>
 * The synthetic users' interactions are written straight into the service's database (setup, not timed). Run:
 * {@code ./mvnw -pl e2e test -Pbench -Dtest=RecommendationBenchmark} with the stack up; smoke-run with e.g.
 * {@code -Dbench.recs.items=300 -Dbench.recs.users=200 -Dbench.recs.requests=50 -Dbench.recs.effects=2}.
 */
@Tag("benchmark")
class RecommendationBenchmark {

    static final int ITEMS = Integer.getInteger("bench.recs.items", 10_000);
    static final int USERS = Integer.getInteger("bench.recs.users", 10_000);
    static final int PER_USER = Integer.getInteger("bench.recs.per-user", 30);
    static final int REQUESTS = Integer.getInteger("bench.recs.requests", 2_000);
    static final int EFFECTS = Integer.getInteger("bench.recs.effects", 20);
    static final String DB_URL = System.getProperty("bench.recs.jdbc", "jdbc:postgresql://127.0.0.1:5432/continuum_recommendation");
    static final String GW = LocalStack.GATEWAY_URL;
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void latencyEventToEffectMemoryAndRetrainAtSize() throws Exception {
        LocalStack.ensureFullStack();
        System.out.println(Floor.measure(200).summary());
        // an operator: a user holding the realm role admin (service-account tokens are refused: user-token-required)
        io.continuum.testing.TestUsers.User operator = io.continuum.testing.TestUsers.create("bench-admin");
        io.continuum.testing.TestUsers.grantRealmRole(operator.id(), "admin");
        String admin = operator.signIn().accessToken();
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);

        // catalog: ITEMS items of 20 genres, uploaded through the admin endpoint
        ArrayNode items = JSON.createArrayNode();
        String[] kinds = {"movie", "episode", "short", "music", "game"};
        Random rnd = new Random(13);
        for (int i = 0; i < ITEMS; i++) {
            String kind = kinds[rnd.nextInt(kinds.length)];
            items.addObject().put("itemId", prefix + "-" + i).put("title", "Bench item " + i).put("kind", kind)
                    .put("durationMinutes", kind.equals("movie") ? 90 + rnd.nextInt(60) : 5 + rnd.nextInt(50))
                    .put("maturity", "all").put("releaseDate", "2024-01-01")
                    .putArray("genres").add("g" + (i % 20));
        }
        HttpResponse<String> up = send(HttpRequest.newBuilder(URI.create(GW + "/api/recommendations/admin/catalog"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(items))));
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);

        // interactions: USERS synthetic users, two favourite genres each (setup, straight into the table)
        try (Connection c = DriverManager.getConnection(DB_URL, "continuum", "continuum")) {
            c.setAutoCommit(false);
            try (PreparedStatement ins = c.prepareStatement("insert into interaction (account_id, item_id, max_ratio,"
                    + " completed, updated_at) values (?, ?, 1, true, now()) on conflict do nothing")) {
                for (int u = 0; u < USERS; u++) {
                    int g1 = rnd.nextInt(20);
                    int g2 = rnd.nextInt(20);
                    for (int k = 0; k < PER_USER; k++) {
                        int g = rnd.nextDouble() < 0.8 ? (k % 2 == 0 ? g1 : g2) : rnd.nextInt(20);
                        int item = Math.min(ITEMS - 1, g + 20 * (int) Math.abs(rnd.nextGaussian() * ITEMS / 60.0));
                        ins.setString(1, prefix + "-u" + u);
                        ins.setString(2, prefix + "-" + item);
                        ins.addBatch();
                    }
                    if (u % 500 == 499) {
                        ins.executeBatch();
                    }
                }
                ins.executeBatch();
            }
            c.commit();
        }
        long t0 = System.nanoTime();
        HttpResponse<String> retrain = send(HttpRequest.newBuilder(URI.create(GW + "/api/recommendations/admin/retrain"))
                .header("Authorization", "Bearer " + admin).POST(HttpRequest.BodyPublishers.noBody()));
        long wall = System.nanoTime() - t0;
        assertThat(retrain.statusCode()).as(retrain.body()).isEqualTo(200);
        JsonNode model = JSON.readTree(retrain.body());
        System.out.printf("RETRAIN %s: %d users, %d items, %d interactions; training %d ms (request %.0f ms); model memory %.1f MB%n",
                model.path("version").asText(), model.path("users").asInt(), model.path("items").asInt(),
                model.path("interactions").asInt(), model.path("trainingMillis").asLong(), wall / 1e6,
                model.path("approximateBytes").asLong() / 1e6);

        TestUsers.User user = TestUsers.create("bench-recs");
        try {
            Tokens.TokenSet t = user.signIn();
            String device = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            send(HttpRequest.newBuilder(URI.create(GW + "/api/auth/devices")).header("Authorization", "Bearer " + t.accessToken())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"deviceId\":\"" + device + "\",\"kind\":\"desktop\",\"platform\":\"linux\",\"displayName\":\"Bench\"}")));
            // give the user a taste: three items of one genre
            for (int i = 0; i < 3; i++) {
                playToEnd(t.accessToken(), device, prefix + "-" + (i * 20));
            }
            // latency
            for (int i = 0; i < Math.max(20, REQUESTS / 10); i++) {
                recommend(t.accessToken());
            }
            long[] lat = new long[REQUESTS];
            for (int i = 0; i < REQUESTS; i++) {
                long s = System.nanoTime();
                HttpResponse<String> r = recommend(t.accessToken());
                lat[i] = System.nanoTime() - s;
                assertThat(r.statusCode()).isEqualTo(200);
            }
            print("GET /api/recommendations?limit=10 via gateway", lat);

            // event -> effect
            long[] effect = new long[EFFECTS];
            for (int i = 0; i < EFFECTS; i++) {
                String top = JSON.readTree(recommend(t.accessToken()).body()).path("items").path(0).path("itemId").asText();
                long s = System.nanoTime();
                playToEnd(t.accessToken(), device, top);
                while (recommend(t.accessToken()).body().contains("\"" + top + "\"")) {
                    if (System.nanoTime() - s > Duration.ofSeconds(30).toNanos()) {
                        throw new AssertionError("finished item " + top + " still recommended after 30 s");
                    }
                }
                effect[i] = System.nanoTime() - s;
            }
            print("playback.set (finished) -> gone from the list, via gateway", effect);
        } finally {
            user.delete();
            try (Connection c = DriverManager.getConnection(DB_URL, "continuum", "continuum");
                    PreparedStatement del = c.prepareStatement("delete from interaction where account_id like ?")) {
                del.setString(1, prefix + "-u%");
                del.executeUpdate();
            }
        }
    }

    private static void playToEnd(String token, String device, String itemId) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(GW + "/api/state/ops"))
                .header("Authorization", "Bearer " + token).header("X-Device-Id", device)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"ops\":[{\"opId\":\"" + UUID.randomUUID() + "\",\"kind\":\"playback.set\","
                        + "\"contentId\":\"" + itemId + "\",\"positionMs\":600000,\"durationMs\":600000,\"state\":\"stopped\"}]}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static HttpResponse<String> recommend(String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(GW + "/api/recommendations?limit=10"))
                .header("Authorization", "Bearer " + token).GET());
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%s: n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", what, s.length,
                s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6, s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e6,
                s[s.length - 1] / 1e6);
    }
}
