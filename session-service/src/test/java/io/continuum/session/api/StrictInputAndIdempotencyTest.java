package io.continuum.session.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.session.Device;
import io.continuum.session.Ops;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Issue 8: Idempotency-Key on POST /api/state/ops, replay headers, and hostile strings inside ops. */
@QuarkusTest
class StrictInputAndIdempotencyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Pool pool;

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static long inventory(Device d, String item) {
        return d.snapshot().path("inventory").path(item).asLong(0);
    }

    private static Response push(Device d, String key, String body) {
        var r = d.given().contentType(ContentType.JSON).body(body);
        if (key != null) {
            r.header("Idempotency-Key", key);
        }
        return r.post("/api/state/ops");
    }

    private static String grantBody(String opId, String item) throws Exception {
        return JSON.writeValueAsString(Map.of("ops", List.of(Ops.grant(opId, item, 1))));
    }

    @Test
    void sixConcurrentRequestsWithOneKeyAndDifferentBodiesApplyOnce() throws Exception {
        Device d = Device.of("carol", "tab-" + tag());
        String item = "gem-" + tag();
        String key = "k-" + tag();
        List<String> bodies = IntStream.range(0, 6).mapToObj(i -> {
            try {
                return grantBody("op-" + tag() + "-" + i, item);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();

        List<Response> answers = bodies.stream()
                .map(b -> CompletableFuture.supplyAsync(() -> push(d, key, b)))
                .toList().stream().map(CompletableFuture::join).toList();

        assertThat(answers).extracting(Response::statusCode).containsOnly(200, 422);
        assertThat(answers).filteredOn(r -> r.statusCode() == 200).hasSize(1);
        assertThat(answers).filteredOn(r -> r.statusCode() == 422).allSatisfy(r -> {
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.jsonPath().getString("type")).isEqualTo("https://continuum.dev/problems/idempotency-key-reused");
        });
        assertThat(inventory(d, item)).isEqualTo(1);
    }

    @Test
    void aRetryWithTheSameKeyReplaysTheFirstAnswerMarkedReplayed() throws Exception {
        Device d = Device.of("carol", "tab-" + tag());
        String item = "gem-" + tag();
        String key = "k-" + tag();
        String body = grantBody("op-" + tag(), item);

        Response first = push(d, key, body);
        Response again = push(d, key, body);

        first.then().statusCode(200);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        again.then().statusCode(200).header("Idempotent-Replayed", "true").contentType(ContentType.JSON);
        JsonNode a = JSON.readTree(first.asString());
        JsonNode b = JSON.readTree(again.asString());
        assertThat(b).isEqualTo(a); // the very first answer ("applied"), not a later "duplicate"
        assertThat(b.path("results").get(0).path("status").asText()).isEqualTo("applied");
        assertThat(inventory(d, item)).isEqualTo(1);
    }

    /**
     * "The first answer is stored with the batch's effect": the key row and the op's log row must be written by one
     * transaction (PostgreSQL's {@code xmin} is the id of the transaction that wrote a row version), so a crash
     * between the two can never leave an effect without its answer or an answer without its effect.
     */
    @Test
    void theStoredAnswerIsCommittedInTheTransactionOfTheEffect() throws Exception {
        Device d = Device.of("carol", "tab-" + tag());
        String key = "k-" + tag();
        String opId = "op-" + tag();
        push(d, key, grantBody(opId, "gem-" + tag())).then().statusCode(200);

        String keyTx = pool.preparedQuery("select cast(xmin as text) from idempotency_key where idem_key = $1")
                .execute(Tuple.of(key)).await().indefinitely().iterator().next().getString(0);
        String effectTx = pool.preparedQuery("select cast(xmin as text) from op_log where op_id = $1")
                .execute(Tuple.of(opId)).await().indefinitely().iterator().next().getString(0);
        assertThat(keyTx).isEqualTo(effectTx);
    }

    @Test
    void aRetriedDocumentPutIsMarkedReplayed() {
        Device d = Device.of("carol", "tab-" + tag());
        String key = "k-" + tag();
        Response current = d.given().get("/api/state/preferences");
        String version = current.header("ETag") == null ? "0" : current.header("ETag");
        String body = "{\"theme\":\"" + tag() + "\"}";

        Response first = d.given().contentType(ContentType.JSON).header("If-Match", version)
                .header("Idempotency-Key", key).body(body).put("/api/state/preferences");
        Response again = d.given().contentType(ContentType.JSON).header("If-Match", version)
                .header("Idempotency-Key", key).body(body).put("/api/state/preferences");

        first.then().statusCode(200);
        assertThat(first.header("Idempotent-Replayed")).isNull();
        again.then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("version", equalTo(first.jsonPath().getInt("version")));
    }

    @Test
    void aNulInAReasonIs422NamingTheOpAndAppliesNothingAndTheRestGoesThrough() throws Exception {
        Device d = Device.of("carol", "tab-" + tag());
        String item = "gem-" + tag();
        String good = "op-" + tag();
        String body = "{\"ops\":[" + JSON.writeValueAsString(Ops.grant(good, item, 2)) + ","
                + "{\"opId\":\"op-" + tag() + "\",\"kind\":\"inventory.grant\",\"itemId\":\"" + item
                + "\",\"quantity\":1,\"reason\":\"bad\\u0000reason\"}]}";

        push(d, null, body).then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("ops[1].reason"));
        assertThat(inventory(d, item)).isZero();

        // the offline queue drops the op the 422 named and sends the rest: nothing is stuck
        push(d, null, "{\"ops\":[" + JSON.writeValueAsString(Ops.grant(good, item, 2)) + "]}")
                .then().statusCode(200).body("results[0].status", equalTo("applied"));
        assertThat(inventory(d, item)).isEqualTo(2);
    }

    @Test
    void controlCharactersInAProfileValueAre422NamingTheMember() {
        Device d = Device.of("carol", "tab-" + tag());
        d.given().contentType(ContentType.JSON).header("If-Match", "0")
                .body("{\"name\":{\"nick\":\"a\\u0007b\"}}").put("/api/state/profile")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("name.nick"));
    }

    @Test
    void duplicateMembersAndTrailingGarbageAre400() {
        Device d = Device.of("carol", "tab-" + tag());
        push(d, null, "{\"ops\":[],\"ops\":[]}").then().statusCode(400).contentType("application/problem+json");
        push(d, null, "{\"ops\":[{\"opId\":\"x\",\"kind\":\"achievement.unlock\",\"achievementId\":\"a\"}]} []")
                .then().statusCode(400).contentType("application/problem+json");
        d.given().contentType("text/plain").body("{\"ops\":[]}").post("/api/state/ops")
                .then().statusCode(415).contentType("application/problem+json");
    }
}
