package io.continuum.session.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.events.EventTypes;
import io.continuum.events.state.PlaybackPositionChanged;
import io.continuum.events.state.PlaybackState;
import io.continuum.events.state.StateChanged;
import io.continuum.platform.outbox.Outbox;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.vertx.mutiny.sqlclient.SqlConnection;
import java.util.Locale;

/**
 * Every applied change leaves as exactly one event on {@code state.events}, written to the outbox in the
 * transaction of the change (on its connection): {@code revision} and {@code deviceid} (origin device) in the CloudEvent extensions,
 * the op id and the new value (metadata only) in the data.
 */
@ApplicationScoped
public class StateEvents {

    private final Outbox outbox;

    public StateEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> playback(SqlConnection c, String account, String device, long revision, String opId,
                              String contentId, long positionMs, long durationMs, String state) {
        PlaybackPositionChanged data = new PlaybackPositionChanged(contentId, positionMs, durationMs,
                PlaybackState.valueOf(state.toUpperCase(Locale.ROOT)), opId);
        return outbox.append(c, EventTypes.PLAYBACK_POSITION_CHANGED, account, device, revision, data).replaceWithVoid();
    }

    public Uni<Void> changed(SqlConnection c, String account, String device, long revision, String opId, String kind, String key, JsonNode value) {
        return outbox.append(c, EventTypes.STATE_CHANGED, account, device, revision, new StateChanged(kind, opId, key, value))
                .replaceWithVoid();
    }
}
