package io.continuum.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.continuum.events.auth.DeviceKind;
import io.continuum.events.auth.DeviceRegistered;
import io.continuum.events.auth.DeviceRevoked;
import io.continuum.events.auth.DeviceSignedIn;
import io.continuum.events.auth.SessionEnded;
import io.continuum.events.auth.RevocationConfirmed;
import io.continuum.events.auth.SignedOutEverywhere;
import io.continuum.events.billing.EntitlementChanged;
import io.continuum.events.billing.SubscriptionChanged;
import io.continuum.events.notification.PresenceChanged;
import io.continuum.events.recommendation.HintPublished;
import io.continuum.events.recommendation.PreloadHint;
import io.continuum.events.state.PlaybackPositionChanged;
import io.continuum.events.state.PlaybackState;
import io.continuum.events.state.StateChanged;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One valid payload per registered event type. A new type without a sample here fails
 * {@code EventTypesContractTest}, so nobody ships a type the tests never exercised.
 */
final class Samples {

    static final String ACCOUNT = "acc-42";
    static final String DEVICE = "dev-phone-1";

    // Map.ofEntries: Map.of stops at ten pairs.
    private static final Map<EventType<?>, EventData> BY_TYPE = Map.ofEntries(
            Map.entry(EventTypes.DEVICE_REGISTERED,
                    new DeviceRegistered(DEVICE, DeviceKind.PHONE, "ios", "Ann's iPhone", "sid-1")),
            Map.entry(EventTypes.DEVICE_SIGNED_IN,
                    new DeviceSignedIn(DEVICE, "sid-2")),
            Map.entry(EventTypes.DEVICE_REVOKED,
                    new DeviceRevoked(DEVICE, List.of("sid-1", "sid-2"), "user-removed")),
            Map.entry(EventTypes.SIGNED_OUT_EVERYWHERE,
                    new SignedOutEverywhere(List.of("sid-1", "sid-3"), DEVICE, null)),
            Map.entry(EventTypes.SESSION_ENDED,
                    new SessionEnded("sid-4", DEVICE, "backchannel-logout")),
            Map.entry(EventTypes.REVOCATION_CONFIRMED,
                    new RevocationConfirmed(List.of("sid-1", "sid-2"))),
            Map.entry(EventTypes.STATE_CHANGED,
                    new StateChanged(StateChanged.WALLET, "op-7", "gold",
                    JsonNodeFactory.instance.objectNode().put("delta", -5).put("balance", 120))),
            Map.entry(EventTypes.PLAYBACK_POSITION_CHANGED,
                    new PlaybackPositionChanged("movie-1", 61_000, 5_400_000, PlaybackState.PAUSED, "op-8")),
            Map.entry(EventTypes.ENTITLEMENT_CHANGED,
                    new EntitlementChanged("premium", true, "prod-monthly", Instant.parse("2030-01-01T00:00:00Z"),
                            "grace", "payment-failed", "sub-1")),
            Map.entry(EventTypes.SUBSCRIPTION_CHANGED,
                    new SubscriptionChanged("sub-1", "stripe", "premium", "premium-monthly", "past_due", "active",
                            Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-01-08T00:00:00Z"), "webhook")),
            Map.entry(EventTypes.RECOMMENDATION_HINT_PUBLISHED,
                    new HintPublished("hint-1", List.of("movie-2", "series-3"), "because-you-watched:movie-1")),
            Map.entry(EventTypes.RECOMMENDATION_PRELOAD_HINT,
                    new PreloadHint("hint-2", "laptop-1", DEVICE, Instant.parse("2026-11-30T18:00:00Z"), 0.8,
                            "movie-1", 61000L, List.of("movie-2", "series-3"))),
            Map.entry(EventTypes.PRESENCE_CHANGED,
                    new PresenceChanged(DEVICE, true, Instant.parse("2026-11-28T01:30:00Z"))));

    private Samples() {
    }

    static boolean has(EventType<?> type) {
        return BY_TYPE.containsKey(type);
    }

    @SuppressWarnings("unchecked")
    static <T extends EventData> T of(EventType<T> type) {
        EventData sample = BY_TYPE.get(type);
        if (sample == null) {
            throw new AssertionError("no sample payload for " + type.type() + ": add one to Samples");
        }
        return (T) sample;
    }

    static <T extends EventData> CloudEvent event(EventType<T> type) {
        return CloudEvent.of(type, "/test", ACCOUNT, DEVICE, 7L, of(type));
    }
}
