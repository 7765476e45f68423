package io.continuum.events;

import java.util.List;

/**
 * Kafka topics of the event contract: one per owning service. Records are keyed by account id
 * (the CloudEvent {@code subject}) so one account's events stay ordered on one partition.
 */
public final class Topics {

    public static final String AUTH_EVENTS = "auth.events";
    public static final String STATE_EVENTS = "state.events";
    public static final String BILLING_EVENTS = "billing.events";
    public static final String RECOMMENDATION_EVENTS = "recommendation.events";
    /** notification-service events (device presence). */
    public static final String NOTIFICATION_EVENTS = "notification.events";

    private static final List<String> ALL =
            List.of(AUTH_EVENTS, STATE_EVENTS, BILLING_EVENTS, RECOMMENDATION_EVENTS, NOTIFICATION_EVENTS);

    private Topics() {
    }

    /** Every public topic, in a stable order. */
    public static List<String> all() {
        return ALL;
    }
}
