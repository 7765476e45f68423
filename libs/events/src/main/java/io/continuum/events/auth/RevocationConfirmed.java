package io.continuum.events.auth;

import io.continuum.events.EventData;
import java.util.List;

/**
 * {@code continuum.auth.revocation-confirmed.v1}: Keycloak confirmed that these sessions (and their offline twins)
 * are ended, so none of their refresh or offline tokens can mint a new access token any more. Published by
 * auth-service when its durable Keycloak job for a revocation completes (for a back-channel logout at once: Keycloak
 * ended the session itself). Consumers keep a revoked session refused until they saw this event and the longest
 * access-token lifetime has passed since its {@code time}; a session listed here that they did not know as revoked
 * is revoked from then on.
 *
 * @param sessionIds the Keycloak sessions ({@code sid}) now ended in Keycloak
 */
public record RevocationConfirmed(List<String> sessionIds) implements EventData {

    public RevocationConfirmed {
        sessionIds = List.copyOf(sessionIds);
    }
}
