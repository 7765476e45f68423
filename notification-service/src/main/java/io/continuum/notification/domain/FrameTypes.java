package io.continuum.notification.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventTypes;
import java.time.Instant;
import java.util.Set;

/**
 * Turns events into stream frames and decides their delivery class. Stream frames carry the event type as their
 * {@code type}; the frames notification-service makes itself have their own types listed here.
 */
public final class FrameTypes {

    /** A notification was read/dismissed on one device: the others clear it. */
    public static final String NOTIFICATION_READ = "continuum.notification.read.v1";
    /** A chat message was posted in a channel the account is a member of. */
    public static final String CHAT_MESSAGE = "continuum.chat.message-posted.v1";

    private static final Set<String> ECONOMY = Set.of("wallet", "inventory", "achievement");
    private static final Set<String> LATEST_WINS_KINDS = Set.of("playback", "world-position");

    private FrameTypes() {
    }

    public static FrameDraft fromEvent(CloudEvent event) {
        JsonNode data = event.data();
        String json = data == null || data.isNull() ? "{}" : data.toString();
        Instant time = event.time() == null ? Instant.now() : event.time();
        DeliveryClass delivery = classify(event.type(), data);
        return new FrameDraft(event.subject(), event.id(), event.type(), delivery, coalesceKey(event.type(), data, delivery),
                event.deviceid(), event.revision(), time, json);
    }

    public static DeliveryClass classify(String type, JsonNode data) {
        if (type.startsWith("continuum.auth.") || type.startsWith("continuum.billing.")) {
            return DeliveryClass.CRITICAL;
        }
        if (type.equals(EventTypes.PLAYBACK_POSITION_CHANGED.type()) || type.startsWith("continuum.recommendation.")) {
            return DeliveryClass.LATEST_WINS;
        }
        if (type.equals(EventTypes.STATE_CHANGED.type()) && data != null) {
            String kind = data.path("kind").asText("");
            if (ECONOMY.contains(kind)) {
                return DeliveryClass.CRITICAL;
            }
            if (LATEST_WINS_KINDS.contains(kind)) {
                return DeliveryClass.LATEST_WINS;
            }
        }
        return DeliveryClass.ORDERED;
    }

    static String coalesceKey(String type, JsonNode data, DeliveryClass delivery) {
        if (delivery != DeliveryClass.LATEST_WINS) {
            return null;
        }
        if (type.equals(EventTypes.PLAYBACK_POSITION_CHANGED.type())) {
            return "playback:" + (data == null ? "" : data.path("contentId").asText(""));
        }
        if (type.equals(EventTypes.STATE_CHANGED.type())) {
            return "state:" + data.path("kind").asText("") + ":" + data.path("key").asText("");
        }
        return type;
    }
}
