package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * What a device shows: the account state the server confirmed (at {@link #revision()}) with the device's own
 * queued ops applied on top of it, optimistically. Immutable: every change makes a new one.
 *
 * <p>The JSON has the shape of the sync protocol's snapshot ({@code playback}, {@code wallet}, {@code inventory},
 * {@code achievements}, {@code worldPosition}, {@code profile}, {@code preferences}, {@code readMarkers}).
 *
 * @param revision the server revision the confirmed part is at
 * @param pending  how many of this device's ops are applied locally but not yet answered by the server
 * @param json     the state (a private copy; do not modify)
 */
public record AccountState(long revision, int pending, ObjectNode json) {

    /** A content item's resume point. */
    public record Playback(String contentId, long positionMs, long durationMs, String state, String deviceId,
                           boolean pending) {
    }

    public Optional<Playback> playback(String contentId) {
        JsonNode p = json.path("playback").path(contentId);
        if (p.isMissingNode()) {
            return Optional.empty();
        }
        return Optional.of(new Playback(contentId, p.path("positionMs").asLong(), p.path("durationMs").asLong(),
                p.path("state").asText(), p.path("deviceId").asText(null), p.path("pending").asBoolean(false)));
    }

    public long wallet(String currency) {
        return json.path("wallet").path(currency).asLong(0);
    }

    public long inventory(String itemId) {
        return json.path("inventory").path(itemId).asLong(0);
    }

    public long readMarker(String channel) {
        return json.path("readMarkers").path(channel).asLong(0);
    }

    /** The state without the pending flags, as the server's snapshot would show it once everything is applied. */
    public JsonNode confirmedShape() {
        ObjectNode copy = json.deepCopy();
        copy.remove("revision");
        copy.path("playback").forEach(p -> {
            if (p instanceof ObjectNode o) {
                o.remove("pending");
            }
        });
        return copy;
    }
}
