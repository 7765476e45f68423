package io.continuum.events.auth;

import io.continuum.events.EventData;

/** {@code continuum.auth.device-registered.v1}: a device joined the account and got its first session. */
public record DeviceRegistered(
        String deviceId,
        DeviceKind kind,
        String platform,
        String displayName,
        String sessionId) implements EventData {
}
