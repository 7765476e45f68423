package io.continuum.session.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Plain unit test (no Quarkus, no database): adding the optional stamps to playback/world ops must not change the
 * fingerprint of an unstamped op, or an op queued before the upgrade and replayed after it would be refused as
 * {@code op-id-reused}. The mapper is configured like Quarkus's (java.time module, ISO dates).
 */
class StampedFingerprintTest {

    final ObjectMapper mapper = new ObjectMapper().findAndRegisterModules().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    final SyncService sync = new SyncService(null, null, mapper, null, null, null, null);

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anUnstampedOpHashesExactlyAsBeforeTheStampsExisted() throws Exception {
        String before = "{\"contentId\":\"m\",\"durationMs\":100,\"kind\":\"playback.set\",\"opId\":\"o\",\"positionMs\":5,\"state\":\"paused\"}";
        assertThat(sync.fingerprint(new Op.PlaybackSet("o", "m", 5, 100, "paused", null, null))).isEqualTo(sha256(before));
        String world = "{\"kind\":\"world.move\",\"opId\":\"w\",\"x\":1.0,\"y\":2.0,\"z\":3.0,\"zone\":\"forest\"}";
        assertThat(sync.fingerprint(new Op.WorldMove("w", "forest", 1, 2, 3, null, null))).isEqualTo(sha256(world));
    }

    @Test
    void stampsArePartOfTheFingerprint() {
        String plain = sync.fingerprint(new Op.PlaybackSet("o", "m", 5, 100, "paused", null, null));
        String stamped = sync.fingerprint(new Op.PlaybackSet("o", "m", 5, 100, "paused", 7L, Instant.parse("2026-12-01T10:00:00Z")));
        assertThat(stamped).isNotEqualTo(plain)
                .isEqualTo(sync.fingerprint(new Op.PlaybackSet("o", "m", 5, 100, "paused", 7L, Instant.parse("2026-12-01T10:00:00Z"))));
    }

    @Test
    void aStaleReplayLosesOnlyToANewerActionOfAnotherDevice() {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        Op.PlaybackSet op = new Op.PlaybackSet("o", "m", 5, 100, "paused", 10L, null);
        Object[] laterOther = {12L, "laptop", t.plusSeconds(60), "{}"};
        assertThat(SyncService.loses(op, t, "phone", laterOther)).isTrue();
        assertThat(SyncService.loses(op, t.plusSeconds(61), "phone", laterOther)).as("the op acted later").isFalse();
        assertThat(SyncService.loses(op, t, "laptop", laterOther)).as("its own device").isFalse();
        assertThat(SyncService.loses(op, t, "phone", new Object[] {10L, "laptop", t.plusSeconds(60), "{}"})).as("seen").isFalse();
        assertThat(SyncService.loses(op, t, "phone", new Object[] {12L, "laptop", t, "{}"})).as("a tie").isFalse();
        assertThat(SyncService.loses(new Op.PlaybackSet("o", "m", 5, 100, "paused", null, null), t, "phone", laterOther))
                .as("unstamped: last accepted wins").isFalse();
        assertThat(SyncService.loses(op, t, "phone", null)).isFalse();
    }
}
