package io.continuum.events.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.events.EventData;

/**
 * {@code continuum.state.changed.v1}: generic account-state delta, so a new kind of state does not
 * need a new event type. {@code kind} is an open set (see the constants); consumers skip kinds they
 * do not know.
 *
 * @param kind  which slice of state changed, e.g. {@link #PLAYBACK}, {@link #WALLET}
 * @param opId  client operation id, for idempotency and echo suppression on the origin device
 * @param key   what inside the slice changed: content id, currency, item id, channel, ...
 * @param value the small delta itself (any JSON value); not the whole state
 */
public record StateChanged(String kind, String opId, String key, JsonNode value) implements EventData {

    public static final String PLAYBACK = "playback";
    public static final String WALLET = "wallet";
    public static final String INVENTORY = "inventory";
    public static final String ACHIEVEMENT = "achievement";
    public static final String WORLD_POSITION = "world-position";
    public static final String PROFILE = "profile";
    public static final String PREFERENCES = "preferences";
    public static final String READ_MARKER = "read-marker";
}
