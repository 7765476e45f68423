package io.continuum.events.auth;

import io.continuum.events.EventData;

import java.util.List;

/**
 * {@code continuum.auth.device-revoked.v1}: a device was removed from the account; all its sessions
 * end now.
 *
 * <p>There is deliberately no "revoked until" field: consumers keep each revoked session id for as
 * long as an access token can live, which they know from their own token configuration. That keeps
 * the event free of one service's token lifetime.
 */
public record DeviceRevoked(String deviceId, List<String> sessionIds, String reason) implements EventData {

    public DeviceRevoked {
        // Immutable copy; null is kept so the schema, not a silent default, rejects it.
        sessionIds = sessionIds == null ? null : List.copyOf(sessionIds);
    }
}
