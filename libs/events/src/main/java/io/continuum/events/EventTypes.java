package io.continuum.events;

import io.continuum.events.auth.DeviceRegistered;
import io.continuum.events.auth.DeviceRevoked;
import io.continuum.events.auth.DeviceSignedIn;
import io.continuum.events.auth.RevocationConfirmed;
import io.continuum.events.auth.SessionEnded;
import io.continuum.events.auth.SignedOutEverywhere;
import io.continuum.events.billing.EntitlementChanged;
import io.continuum.events.billing.SubscriptionChanged;
import io.continuum.events.notification.PresenceChanged;
import io.continuum.events.recommendation.HintPublished;
import io.continuum.events.recommendation.PreloadHint;
import io.continuum.events.state.PlaybackPositionChanged;
import io.continuum.events.state.StateChanged;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of every event type in the contract. Adding a type = one payload record, one schema
 * under {@code src/main/resources/schemas/}, one constant here (see docs/events.md).
 */
public final class EventTypes {

    // Declared before the constants: static initializers run top to bottom.
    private static final Map<String, EventType<?>> BY_TYPE = new LinkedHashMap<>();

    // auth.events
    public static final EventType<DeviceRegistered> DEVICE_REGISTERED =
            register("continuum.auth.device-registered.v1", Topics.AUTH_EVENTS, DeviceRegistered.class);
    public static final EventType<DeviceSignedIn> DEVICE_SIGNED_IN =
            register("continuum.auth.device-signed-in.v1", Topics.AUTH_EVENTS, DeviceSignedIn.class);
    public static final EventType<DeviceRevoked> DEVICE_REVOKED =
            register("continuum.auth.device-revoked.v1", Topics.AUTH_EVENTS, DeviceRevoked.class);
    public static final EventType<SignedOutEverywhere> SIGNED_OUT_EVERYWHERE =
            register("continuum.auth.signed-out-everywhere.v1", Topics.AUTH_EVENTS, SignedOutEverywhere.class);
    public static final EventType<SessionEnded> SESSION_ENDED =
            register("continuum.auth.session-ended.v1", Topics.AUTH_EVENTS, SessionEnded.class);
    public static final EventType<RevocationConfirmed> REVOCATION_CONFIRMED =
            register("continuum.auth.revocation-confirmed.v1", Topics.AUTH_EVENTS, RevocationConfirmed.class);

    // state.events
    public static final EventType<StateChanged> STATE_CHANGED =
            register("continuum.state.changed.v1", Topics.STATE_EVENTS, StateChanged.class);
    public static final EventType<PlaybackPositionChanged> PLAYBACK_POSITION_CHANGED =
            register("continuum.playback.position-changed.v1", Topics.STATE_EVENTS, PlaybackPositionChanged.class);

    // billing.events
    public static final EventType<EntitlementChanged> ENTITLEMENT_CHANGED =
            register("continuum.billing.entitlement-changed.v1", Topics.BILLING_EVENTS, EntitlementChanged.class);
    public static final EventType<SubscriptionChanged> SUBSCRIPTION_CHANGED =
            register("continuum.billing.subscription-changed.v1", Topics.BILLING_EVENTS, SubscriptionChanged.class);

    // recommendation.events
    public static final EventType<HintPublished> RECOMMENDATION_HINT_PUBLISHED =
            register("continuum.recommendation.hint-published.v1", Topics.RECOMMENDATION_EVENTS, HintPublished.class);
    public static final EventType<PreloadHint> RECOMMENDATION_PRELOAD_HINT =
            register("continuum.recommendation.preload-hint.v1", Topics.RECOMMENDATION_EVENTS, PreloadHint.class);

    // notification.events
    public static final EventType<PresenceChanged> PRESENCE_CHANGED =
            register("continuum.presence.changed.v1", Topics.NOTIFICATION_EVENTS, PresenceChanged.class);

    private static final List<EventType<?>> ALL = Collections.unmodifiableList(new ArrayList<>(BY_TYPE.values()));

    private EventTypes() {
    }

    /** The registered type for a CloudEvent {@code type} string; empty for types this build does not know. */
    public static Optional<EventType<?>> find(String type) {
        return Optional.ofNullable(type == null ? null : BY_TYPE.get(type));
    }

    /** Every registered type, in declaration order. */
    public static List<EventType<?>> all() {
        return ALL;
    }

    /** Every registered type published on {@code topic}. */
    public static List<EventType<?>> onTopic(String topic) {
        return ALL.stream().filter(t -> t.topic().equals(topic)).toList();
    }

    private static <T extends EventData> EventType<T> register(String type, String topic, Class<T> dataClass) {
        if (!Topics.all().contains(topic)) {
            throw new IllegalStateException("event type " + type + " names unknown topic " + topic);
        }
        EventType<T> eventType = new EventType<>(type, topic, dataClass);
        if (BY_TYPE.putIfAbsent(type, eventType) != null) {
            throw new IllegalStateException("event type registered twice: " + type);
        }
        return eventType;
    }
}
