package io.continuum.session;

import static io.continuum.session.Ops.consume;
import static io.continuum.session.Ops.credit;
import static io.continuum.session.Ops.grant;
import static io.continuum.session.Ops.playback;
import static io.continuum.session.Ops.purchase;
import static io.continuum.session.Ops.readMarker;
import static io.continuum.session.Ops.unlock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Conflict rules per kind of state, bad input, and account isolation. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class StateRulesTest {

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void playbackLastAcceptedActionWinsAndFinishedItemsLeaveContinueWatching() {
        Device phone = Device.of("alice", "phone-" + run());
        Device laptop = phone.other("laptop-" + run());
        String r = run();
        String a = "ep-a-" + r;
        String b = "ep-b-" + r;
        phone.push(List.of(playback("p1-" + r, a, 60_000, 1_200_000, "paused")));
        laptop.push(List.of(playback("p2-" + r, b, 5_000, 1_200_000, "playing")));
        JsonNode answer = laptop.push(List.of(playback("p3-" + r, a, 61_500, 1_200_000, "playing")));
        long rev = answer.path("results").get(0).path("revision").asLong();

        laptop.given().get("/api/state/playback/" + a).then().statusCode(200)
                .body("positionMs", equalTo(61_500)).body("state", equalTo("playing"))
                .body("deviceId", equalTo(laptop.deviceId)).body("revision", equalTo((int) rev))
                .body("finished", equalTo(false));
        List<String> list = phone.given().get("/api/state/continue-watching").then().statusCode(200)
                .extract().jsonPath().getList("items.contentId");
        assertThat(list).startsWith(a, b);

        phone.push(List.of(playback("p4-" + r, a, 1_150_000, 1_200_000, "stopped"))); // 95.8 %: finished
        List<String> after = phone.given().get("/api/state/continue-watching").then().statusCode(200)
                .extract().jsonPath().getList("items.contentId");
        assertThat(after).doesNotContain(a).startsWith(b);
        phone.given().get("/api/state/playback/" + a).then().statusCode(200).body("finished", equalTo(true));
        phone.given().get("/api/state/playback/never-played-" + r).then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void aPurchaseIsAllOrNothingAndEveryGameChangeIsInTheLedger() {
        Device d = Device.of("alice", "console-" + run());
        String r = run();
        String gold = "gold-" + r;
        String sword = "sword-" + r;
        d.push(List.of(credit("g1-" + r, gold, 30)));
        long before = d.revision();

        JsonNode tooExpensive = d.push(List.of(purchase("g2-" + r, gold, 50, sword, 1))).path("results").get(0);
        assertThat(tooExpensive.path("status").asText()).isEqualTo("rejected");
        assertThat(tooExpensive.path("reason").asText()).isEqualTo("insufficient-funds");
        assertThat(tooExpensive.path("current").path("balance").asLong()).isEqualTo(30);
        JsonNode snap = d.snapshot();
        assertThat(snap.path("revision").asLong()).isEqualTo(before);
        assertThat(snap.path("wallet").path(gold).asLong()).isEqualTo(30);
        assertThat(snap.path("inventory").has(sword)).isFalse();

        JsonNode bought = d.push(List.of(purchase("g3-" + r, gold, 25, sword, 2))).path("results").get(0);
        assertThat(bought.path("status").asText()).isEqualTo("applied");
        assertThat(bought.path("revision").asLong()).isEqualTo(before + 1);
        snap = d.snapshot();
        assertThat(snap.path("wallet").path(gold).asLong()).isEqualTo(5);
        assertThat(snap.path("inventory").path(sword).asLong()).isEqualTo(2);

        JsonNode overConsume = d.push(List.of(consume("g4-" + r, sword, 3))).path("results").get(0);
        assertThat(overConsume.path("reason").asText()).isEqualTo("insufficient-quantity");
        assertThat(d.push(List.of(consume("g5-" + r, sword, 2))).path("results").get(0).path("value").path("quantity").asLong()).isZero();

        JsonNode first = d.push(List.of(unlock("g6-" + r, "dragon-" + r))).path("results").get(0);
        JsonNode second = d.push(List.of(unlock("g7-" + r, "dragon-" + r))).path("results").get(0);
        assertThat(first.path("status").asText()).isEqualTo("applied");
        assertThat(second.path("reason").asText()).isEqualTo("already-unlocked");
        assertThat(second.path("current").path("unlockedAt").asText()).isEqualTo(first.path("value").path("unlockedAt").asText());

        JsonNode ledger = Device.json(d.given().get("/api/state/game/ledger").then().statusCode(200).extract().response());
        List<String> entries = new ArrayList<>();
        ledger.forEach(e -> {
            if (e.path("opId").asText().endsWith(r)) {
                entries.add(e.path("opId").asText() + ":" + e.path("entry").asText() + ":" + e.path("delta").asLong()
                        + ":" + e.path("deviceId").asText());
            }
        });
        assertThat(entries).containsExactlyInAnyOrder(
                "g1-" + r + ":credit:30:" + d.deviceId,
                "g3-" + r + ":debit:-25:" + d.deviceId,
                "g3-" + r + ":grant:2:" + d.deviceId,
                "g5-" + r + ":consume:-2:" + d.deviceId,
                "g6-" + r + ":unlock:1:" + d.deviceId);
    }

    @Test
    void documentsUseOptimisticConcurrency() {
        Device d = Device.of("alice", "tablet-" + run());
        String r = run();
        var current = d.given().get("/api/state/profile").then().statusCode(200).extract();
        long version = current.jsonPath().getLong("version");
        assertThat(current.header("ETag")).isEqualTo("\"" + version + "\"");

        d.given().contentType(ContentType.JSON).header("If-Match", "\"" + version + "\"")
                .body(Map.of("displayName", "Alice " + r)).put("/api/state/profile")
                .then().statusCode(200).body("version", equalTo((int) version + 1))
                .body("value.displayName", equalTo("Alice " + r)).header("ETag", "\"" + (version + 1) + "\"");

        // a write based on the old version is refused with the current document
        d.given().contentType(ContentType.JSON).header("If-Match", "\"" + version + "\"")
                .body(Map.of("displayName", "stale")).put("/api/state/profile")
                .then().statusCode(412).contentType("application/problem+json")
                .body("current.version", equalTo((int) version + 1))
                .body("current.value.displayName", equalTo("Alice " + r));
        d.given().contentType(ContentType.JSON).header("If-Match", "\"" + (version + 1) + "\"").body("[1, 2]").put("/api/state/profile")
                .then().statusCode(422).contentType("application/problem+json").body("errors[0].field", equalTo("body"));
        d.given().contentType(ContentType.JSON).body(Map.of("displayName", "x")).put("/api/state/profile")
                .then().statusCode(428).contentType("application/problem+json").body("errors[0].field", equalTo("If-Match"));

        // the same through an op: stale base version → rejected with the current value, fresh one → applied
        JsonNode stale = d.push(List.of(Ops.document("d1-" + r, "profile", version, Map.of("displayName", "op-stale"))))
                .path("results").get(0);
        assertThat(stale.path("reason").asText()).isEqualTo("stale-version");
        assertThat(stale.path("current").path("version").asLong()).isEqualTo(version + 1);
        JsonNode fresh = d.push(List.of(Ops.document("d2-" + r, "profile", version + 1, Map.of("displayName", "op-" + r))))
                .path("results").get(0);
        assertThat(fresh.path("status").asText()).isEqualTo("applied");
        assertThat(fresh.path("value").path("version").asLong()).isEqualTo(version + 2);

        // a retried PUT (same Idempotency-Key) gets its first answer, not a 412
        String key = "k-" + r;
        d.given().contentType(ContentType.JSON).header("If-Match", "\"" + (version + 2) + "\"").header("Idempotency-Key", key)
                .body(Map.of("displayName", "retry")).put("/api/state/profile").then().statusCode(200).body("version", equalTo((int) version + 3));
        d.given().contentType(ContentType.JSON).header("If-Match", "\"" + (version + 2) + "\"").header("Idempotency-Key", key)
                .body(Map.of("displayName", "retry")).put("/api/state/profile").then().statusCode(200).body("version", equalTo((int) version + 3));
        d.given().contentType(ContentType.JSON).header("If-Match", "\"" + (version + 2) + "\"").header("Idempotency-Key", key)
                .body(Map.of("displayName", "something else")).put("/api/state/profile").then().statusCode(422)
                .contentType("application/problem+json").body("errors[0].field", equalTo("Idempotency-Key"));
    }

    @Test
    void readMarkersOnlyMoveForward() {
        Device d = Device.of("alice", "watch-" + run());
        String r = run();
        String ch = "room-" + r;
        assertThat(d.push(List.of(readMarker("m1-" + r, ch, 40))).path("results").get(0).path("status").asText()).isEqualTo("applied");
        JsonNode back = d.push(List.of(readMarker("m2-" + r, ch, 39))).path("results").get(0);
        assertThat(back.path("status").asText()).isEqualTo("rejected");
        assertThat(back.path("reason").asText()).isEqualTo("not-forward");
        assertThat(back.path("current").path("seq").asLong()).isEqualTo(40);
        d.push(List.of(readMarker("m3-" + r, ch, 41)));
        assertThat(d.snapshot().path("readMarkers").path(ch).asLong()).isEqualTo(41);
    }

    @Test
    void anUnknownKindIsRejectedAloneAndTheRestOfTheBatchGoesOn() {
        Device d = Device.of("alice", "phone-" + run());
        String r = run();
        JsonNode answer = d.push(List.of(
                grant("u1-" + r, "apple-" + r, 1),
                Ops.op("u2-" + r, "teleport.now", "where", "moon"),
                grant("u3-" + r, "apple-" + r, 2)));
        assertThat(answer.path("results").get(0).path("status").asText()).isEqualTo("applied");
        assertThat(answer.path("results").get(1).path("status").asText()).isEqualTo("rejected");
        assertThat(answer.path("results").get(1).path("reason").asText()).isEqualTo("unknown-kind");
        assertThat(answer.path("results").get(2).path("value").path("quantity").asLong()).isEqualTo(3);
        assertThat(answer.path("revision").asLong()).isEqualTo(answer.path("results").get(2).path("revision").asLong());
    }

    @Test
    void theSameOpTwiceInOneBatchIsAppliedOnce() {
        Device d = Device.of("alice", "phone-" + run());
        String r = run();
        Map<String, Object> op = grant("twice-" + r, "plum-" + r, 5);
        JsonNode answer = d.push(List.of(op, op));
        JsonNode first = answer.path("results").get(0);
        JsonNode second = answer.path("results").get(1);
        assertThat(first.path("status").asText()).isEqualTo("applied");
        assertThat(second.path("status").asText()).isEqualTo("duplicate");
        assertThat(second.path("original").path("revision").asLong()).isEqualTo(first.path("revision").asLong());
        assertThat(answer.path("revision").asLong()).isEqualTo(first.path("revision").asLong());
        assertThat(d.snapshot().path("inventory").path("plum-" + r).asLong()).isEqualTo(5);

        // the same id for a different op is a client bug: refused, nothing applied, the first answer stays
        Map<String, Object> other = grant("twice-" + r, "plum-" + r, 500);
        JsonNode reused = d.push(List.of(other)).path("results").get(0);
        assertThat(reused.path("status").asText()).isEqualTo("rejected");
        assertThat(reused.path("reason").asText()).isEqualTo("op-id-reused");
        assertThat(d.snapshot().path("inventory").path("plum-" + r).asLong()).isEqualTo(5);
        // the same op re-serialized with its members in another order is still the same op
        Map<String, Object> reordered = new java.util.LinkedHashMap<>();
        reordered.put("quantity", 5L);
        reordered.put("reason", "test grant");
        reordered.put("itemId", "plum-" + r);
        reordered.put("kind", "inventory.grant");
        reordered.put("opId", "twice-" + r);
        assertThat(d.push(List.of(reordered)).path("results").get(0).path("status").asText()).isEqualTo("duplicate");
    }

    @Test
    void badInputIsRefusedWithProblemDetailsAndChangesNothing() {
        Device d = Device.of("alice", "phone-" + run());
        String r = run();
        long before = d.revision();

        d.given().contentType(ContentType.JSON).body("{\"ops\": [ {\"opId\": ").post("/api/state/ops")
                .then().statusCode(400).contentType("application/problem+json");

        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            tooMany.add(grant("big-" + r + "-" + i, "x-" + r, 1));
        }
        d.pushRaw(tooMany).then().statusCode(413).contentType("application/problem+json").body("maxOps", equalTo(500));

        d.pushRaw(List.of(grant("ok-" + r, "pear-" + r, 1), playback("bad-" + r, "c-" + r, -5, 1000, "playing"),
                        credit("bad2-" + r, "gold-" + r, 1_000_000_000_000L)))
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", hasItem("ops[1].positionMs"))
                .body("errors.field", hasItem("ops[2].amount"));
        d.pushRaw(List.of(playback("bad3-" + r, "c-" + r, 5000, 1000, "playing")))
                .then().statusCode(422).body("errors[0].field", equalTo("ops[0].positionMs"));
        d.pushRaw(List.of(Ops.op("bad4-" + r, "playback.set", "contentId", "c-" + r, "positionMs", "ten", "durationMs", 10, "state", "playing")))
                .then().statusCode(422).body("errors[0].field", equalTo("ops[0].positionMs"));
        d.pushRaw(List.of(Ops.op(null, "wallet.credit", "currency", "gold", "amount", 1)))
                .then().statusCode(422).body("errors[0].field", equalTo("ops[0].opId"));
        d.pushRaw(List.of(Ops.op("bad5-" + r, "playback.set", "contentId", "c-" + r, "positionMs", 1, "durationMs", 10, "state", "rewinding")))
                .then().statusCode(422).body("errors[0].field", equalTo("ops[0].state"));
        d.pushRaw(List.of()).then().statusCode(422).body("errors[0].field", equalTo("ops"));
        io.restassured.RestAssured.given().auth().oauth2(d.token()).contentType(ContentType.JSON)
                .body(Map.of("ops", List.of(grant("nodev-" + r, "x", 1)))).post("/api/state/ops")
                .then().statusCode(400).body("errors[0].field", equalTo("X-Device-Id"));
        d.given().queryParam("since", -1).get("/api/state/changes").then().statusCode(422).body("errors[0].field", equalTo("since"));
        d.given().queryParam("since", "abc").get("/api/state/changes").then().statusCode(422).body("errors[0].field", equalTo("since"));
        d.given().queryParam("since", 0).queryParam("limit", 0).get("/api/state/changes").then().statusCode(422)
                .body("errors[0].field", equalTo("limit"));
        io.restassured.RestAssured.given().get("/api/state/snapshot").then().statusCode(401);

        assertThat(d.revision()).isEqualTo(before);
        // nothing of the refused batch was recorded: the corrected op applies
        assertThat(d.push(List.of(grant("ok-" + r, "pear-" + r, 1))).path("results").get(0).path("status").asText())
                .isEqualTo("applied");
    }

    @Test
    void anotherAccountsStateIsNeverReachable() {
        Device alice = Device.of("alice", "a-" + run());
        Device bob = Device.of("bob", "b-" + run());
        String r = run();
        String secret = "secret-show-" + r;
        String opId = "shared-op-" + r;
        alice.push(List.of(playback(opId, secret, 42_000, 100_000, "paused")));

        bob.given().get("/api/state/playback/" + secret).then().statusCode(404);
        assertThat(bob.snapshot().path("playback").has(secret)).isFalse();
        bob.given().queryParam("since", 0).queryParam("limit", 1000).get("/api/state/changes").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(containsString(secret)));
        // op ids are per account: bob's op with alice's id is bob's own, and leaves alice's state alone
        JsonNode bobs = bob.push(List.of(playback(opId, secret, 1, 100_000, "playing"))).path("results").get(0);
        assertThat(bobs.path("status").asText()).isEqualTo("applied");
        alice.given().get("/api/state/playback/" + secret).then().statusCode(200).body("positionMs", equalTo(42_000));
    }

}
