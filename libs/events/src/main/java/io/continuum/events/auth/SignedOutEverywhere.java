package io.continuum.events.auth;

import io.continuum.events.EventData;

import java.util.List;

/**
 * {@code continuum.auth.signed-out-everywhere.v1}: every listed session ended, except optionally the
 * caller's own device/session (the one that pressed "sign out everywhere else").
 * Same retention rule as {@link DeviceRevoked}: consumers keep revoked session ids as long as an
 * access token lives.
 *
 * @param exceptDeviceId  device left signed in, or {@code null} when none was
 * @param exceptSessionId session left signed in, or {@code null} when none was
 */
public record SignedOutEverywhere(
        List<String> sessionIds,
        String exceptDeviceId,
        String exceptSessionId) implements EventData {

    public SignedOutEverywhere {
        sessionIds = sessionIds == null ? null : List.copyOf(sessionIds);
    }
}
