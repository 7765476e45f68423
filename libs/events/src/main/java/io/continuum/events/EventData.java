package io.continuum.events;

/**
 * Marker for event payload records (the CloudEvent {@code data}). Tying {@link EventType} to it
 * keeps arbitrary objects from being published as an event payload.
 */
public interface EventData {
}
