package io.continuum.events.auth;

import io.continuum.events.EventData;

/**
 * {@code continuum.auth.session-ended.v1}: one Keycloak session ended outside auth-service's own device
 * revocation or sign-out-everywhere, e.g. a logout in the account console, the admin console or another
 * application, reported to auth-service by Keycloak's OIDC Back-Channel Logout. Published by auth-service.
 * Same retention rule as {@link DeviceRevoked}: consumers keep the session id as long as an access token lives.
 *
 * @param sessionId the ended Keycloak session ({@code sid})
 * @param deviceId  the registered device bound to that session, or {@code null} when none was
 * @param reason    e.g. {@code backchannel-logout}
 */
public record SessionEnded(String sessionId, String deviceId, String reason) implements EventData {
}
