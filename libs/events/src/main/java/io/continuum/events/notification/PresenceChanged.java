package io.continuum.events.notification;

import io.continuum.events.EventData;

import java.time.Instant;

/**
 * {@code continuum.presence.changed.v1}: a device of the account came online (its first live WebSocket on any
 * notification-service replica) or went offline (its last one closed). Published by notification-service on
 * {@code notification.events}; auth-service shows it in the device list.
 *
 * @param deviceId the device
 * @param online   true when it came online, false when it went offline
 * @param at       when notification-service saw the change
 */
public record PresenceChanged(String deviceId, boolean online, Instant at) implements EventData {
}
