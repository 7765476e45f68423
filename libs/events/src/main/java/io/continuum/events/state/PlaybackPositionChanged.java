package io.continuum.events.state;

import io.continuum.events.EventData;

/**
 * {@code continuum.playback.position-changed.v1}: the resume point of one piece of content moved.
 * Published on {@code state.events} because playback position is account state.
 *
 * @param positionMs milliseconds from the start, {@code >= 0}
 * @param durationMs total length in milliseconds, {@code >= 0} (0 when unknown, e.g. live)
 * @param opId       client operation id, for idempotency and echo suppression
 */
public record PlaybackPositionChanged(
        String contentId,
        long positionMs,
        long durationMs,
        PlaybackState state,
        String opId) implements EventData {
}
