package io.continuum.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a device does with the changes feed: start from a snapshot and apply each change's new value. Used to
 * check that pulling from any revision ends on the server's snapshot.
 */
final class Replica {

    final ObjectNode state;

    Replica(JsonNode snapshot) {
        this.state = normalize(snapshot);
    }

    void apply(JsonNode change) {
        JsonNode v = change.path("value");
        long revision = change.path("revision").asLong();
        if (revision != state.path("revision").asLong() + 1) {
            throw new AssertionError("gap in the changes feed: at " + state.path("revision") + ", got " + revision);
        }
        switch (change.path("kind").asText()) {
            case "playback" -> {
                ObjectNode p = state.with("playback").putObject(v.path("contentId").asText());
                p.put("contentId", v.path("contentId").asText()).put("positionMs", v.path("positionMs").asLong())
                        .put("durationMs", v.path("durationMs").asLong()).put("state", v.path("state").asText())
                        .put("finished", v.path("finished").asBoolean()).put("deviceId", change.path("deviceId").asText())
                        .put("revision", revision);
            }
            case "wallet" -> state.with("wallet").put(v.path("currency").asText(), v.path("balance").asLong());
            case "inventory" -> state.with("inventory").put(v.path("itemId").asText(), v.path("quantity").asLong());
            case "purchase" -> {
                state.with("wallet").put(v.path("currency").asText(), v.path("balance").asLong());
                state.with("inventory").put(v.path("itemId").asText(), v.path("quantity").asLong());
            }
            case "achievement" -> state.with("achievements").putObject(v.path("achievementId").asText())
                    .put("achievementId", v.path("achievementId").asText()).put("unlockedAt", v.path("unlockedAt").asText());
            case "world-position" -> state.set("worldPosition", v);
            case "profile", "preferences" -> state.set(change.path("kind").asText(), v);
            case "read-marker" -> state.with("readMarkers").put(v.path("channel").asText(), v.path("seq").asLong());
            default -> throw new AssertionError("unknown change kind " + change);
        }
        state.put("revision", revision);
    }

    /** The snapshot without what the feed does not carry (playback's updatedAt). */
    static ObjectNode normalize(JsonNode snapshot) {
        ObjectNode copy = snapshot.deepCopy();
        copy.with("playback").forEach(p -> ((ObjectNode) p).remove("updatedAt"));
        return copy;
    }
}
