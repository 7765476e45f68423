package io.continuum.events.recommendation;

import io.continuum.events.EventData;

import java.time.Instant;
import java.util.List;

/**
 * {@code continuum.recommendation.preload-hint.v1}: recommendation-service predicts, from the account's device-switch
 * habits, that the user will pick up {@code targetDeviceId} around {@code expectedAt}; that device can pre-load the
 * resume point and the first recommendations before it is picked up. Published on {@code recommendation.events}
 * ahead of the predicted switch; notification-service carries it to the account's devices, and only the target acts.
 *
 * @param hintId         unique per (account, target device, expected time)
 * @param targetDeviceId the device expected to be picked up
 * @param fromDeviceId   the device the user is on now
 * @param expectedAt     when the switch is expected
 * @param confidence     share of comparable days on which the switch happened, 0..1
 * @param contentId      what the user last played, when known (its resume point is session-service's)
 * @param positionMs     the last position of {@code contentId} seen by recommendation-service, when known
 * @param items          content ids to pre-load, best first (at most 20)
 */
public record PreloadHint(
        String hintId,
        String targetDeviceId,
        String fromDeviceId,
        Instant expectedAt,
        double confidence,
        String contentId,
        Long positionMs,
        List<String> items) implements EventData {

    public PreloadHint {
        items = items == null ? null : List.copyOf(items);
    }
}
