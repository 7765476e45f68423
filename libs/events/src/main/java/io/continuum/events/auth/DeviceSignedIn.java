package io.continuum.events.auth;

import io.continuum.events.EventData;

/** {@code continuum.auth.device-signed-in.v1}: a known device opened a new session. */
public record DeviceSignedIn(String deviceId, String sessionId) implements EventData {
}
