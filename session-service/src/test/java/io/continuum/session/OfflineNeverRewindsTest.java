package io.continuum.session;

import static io.continuum.session.Ops.op;
import static io.continuum.session.Ops.playback;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * "Offline never rewinds another device" (docs/sync-protocol.md): two devices of one account, one of them offline;
 * its queued playback/world ops carry the revision it had seen and when the user acted. Real PostgreSQL, Kafka and
 * Keycloak tokens; nothing faked.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class OfflineNeverRewindsTest {

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static Map<String, Object> stamped(Map<String, Object> op, long seenRevision, Instant actedAt) {
        op.put("seenRevision", seenRevision);
        op.put("actedAt", actedAt.toString());
        return op;
    }

    @Test
    void aStaleReplayThatLostToANewerActionIsSupersededWithTheCurrentValue() {
        String r = run();
        String movie = "movie-" + r;
        Device phone = Device.of("alice", "phone-" + r);
        Device laptop = phone.other("laptop-" + r);
        long seen = phone.push(List.of(playback("p0-" + r, movie, 0, 5_400_000, "playing"))).path("revision").asLong();

        // the phone goes offline; two hours ago its user paused at 12:00 (queued, not sent)
        Instant phoneActed = Instant.now().minusSeconds(7_200);
        // meanwhile the laptop watched on to 40:00 (online, acting now)
        laptop.push(List.of(stamped(playback("l1-" + r, movie, 2_400_000, 5_400_000, "paused"), seen, Instant.now())));

        // the phone comes back and replays its queue
        JsonNode answer = phone.push(List.of(stamped(playback("p1-" + r, movie, 720_000, 5_400_000, "paused"), seen, phoneActed)));
        JsonNode result = answer.path("results").get(0);
        assertThat(result.path("status").asText()).isEqualTo("rejected");
        assertThat(result.path("reason").asText()).isEqualTo("superseded");
        assertThat(result.path("current").path("positionMs").asLong()).isEqualTo(2_400_000);
        assertThat(result.path("current").path("deviceId").asText()).isEqualTo(laptop.deviceId);
        assertThat(phone.snapshot().path("playback").path(movie).path("positionMs").asLong()).isEqualTo(2_400_000);

        // the answer is final: the same replay again is a duplicate of the rejection, nothing moves
        JsonNode again = phone.push(List.of(stamped(playback("p1-" + r, movie, 720_000, 5_400_000, "paused"), seen, phoneActed)));
        assertThat(again.path("results").get(0).path("status").asText()).isEqualTo("duplicate");
        assertThat(again.path("results").get(0).path("original").path("reason").asText()).isEqualTo("superseded");
    }

    @Test
    void aReplayOfAnActionNewerThanTheOtherDevicesStillWins() {
        String r = run();
        String movie = "movie-" + r;
        Device phone = Device.of("alice", "phone-" + r);
        Device laptop = phone.other("laptop-" + r);
        long seen = phone.push(List.of(playback("p0-" + r, movie, 0, 5_400_000, "playing"))).path("revision").asLong();
        Instant laptopActed = Instant.now().minusSeconds(600);
        laptop.push(List.of(stamped(playback("l1-" + r, movie, 600_000, 5_400_000, "paused"), seen, laptopActed)));
        // the phone acted after the laptop (while offline): its replay wins although it is accepted later
        JsonNode answer = phone.push(List.of(stamped(playback("p1-" + r, movie, 900_000, 5_400_000, "paused"),
                seen, laptopActed.plusSeconds(60))));
        assertThat(answer.path("results").get(0).path("status").asText()).isEqualTo("applied");
        assertThat(phone.snapshot().path("playback").path(movie).path("positionMs").asLong()).isEqualTo(900_000);
    }

    @Test
    void aDevicesOwnQueuedOpsAndUnstampedOpsAreNeverSuperseded() {
        String r = run();
        String movie = "movie-" + r;
        Device phone = Device.of("alice", "phone-" + r);
        Device laptop = phone.other("laptop-" + r);
        long seen = phone.push(List.of(playback("p0-" + r, movie, 0, 5_400_000, "playing"))).path("revision").asLong();
        Instant t = Instant.now().minusSeconds(100);
        // one offline device's queue: the first op moves the key past what it had seen; the second is still its own
        JsonNode answer = phone.push(List.of(
                stamped(playback("p1-" + r, movie, 10_000, 5_400_000, "playing"), seen, t),
                stamped(playback("p2-" + r, movie, 20_000, 5_400_000, "paused"), seen, t.plusSeconds(10))));
        assertThat(answer.path("results").findValuesAsText("status")).containsExactly("applied", "applied");
        // an op without stamps keeps the old rule (last accepted wins), and a clock in the future is clamped to now
        laptop.push(List.of(stamped(playback("l1-" + r, movie, 30_000, 5_400_000, "paused"), seen, Instant.now().plusSeconds(3_600))));
        JsonNode plain = phone.push(List.of(playback("p3-" + r, movie, 5_000, 5_400_000, "paused")));
        assertThat(plain.path("results").get(0).path("status").asText()).isEqualTo("applied");
        JsonNode updatedAt = phone.snapshot().path("playback").path(movie).path("updatedAt");
        assertThat(Instant.parse(updatedAt.asText())).isBefore(Instant.now().plusSeconds(5));
    }

    @Test
    void worldMovesFollowTheSameRule() {
        Device phone = Device.of("bob", "phone-" + run());
        Device console = phone.other("console-" + run());
        long seen = phone.revision();
        console.push(List.of(stamped(op("c1-" + run(), "world.move", "zone", "castle", "x", 10.0, "y", 0.0, "z", 1.0),
                seen, Instant.now())));
        JsonNode answer = phone.push(List.of(stamped(op("p1-" + run(), "world.move", "zone", "forest", "x", 1.0, "y", 2.0, "z", 3.0),
                seen, Instant.now().minusSeconds(3_600))));
        JsonNode result = answer.path("results").get(0);
        assertThat(result.path("reason").asText()).isEqualTo("superseded");
        assertThat(result.path("current").path("zone").asText()).isEqualTo("castle");
        assertThat(phone.snapshot().path("worldPosition").path("zone").asText()).isEqualTo("castle");
    }

    @Test
    void aBadActionTimeIsRefusedNamingTheField() {
        Device phone = Device.of("alice", "phone-" + run());
        Map<String, Object> bad = playback("p-" + run(), "m-" + run(), 0, 0, "paused");
        bad.put("actedAt", "yesterday");
        bad.put("seenRevision", -1);
        phone.pushRaw(List.of(bad)).then().statusCode(422)
                .body("errors.field", org.hamcrest.Matchers.hasItems("ops[0].actedAt", "ops[0].seenRevision"));
    }
}
