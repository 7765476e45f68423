package io.continuum.platform.revocation;

import java.util.Set;

/**
 * CDI event fired (synchronously, {@code Event<SessionsRevoked>.fire}) by {@link RevokedSessions} whenever sessions
 * of an account become revoked: a device revoked, "sign out everywhere", or a back-channel logout, read from
 * {@code auth.events}. Only sessions this instance did not know as revoked yet are listed, so a redelivered event
 * fires nothing. Observers run on the revocation consumer's thread: keep them short and non-blocking (e.g. close the
 * account's WebSockets bound to these sessions).
 *
 * @param accountId  the account (the event's subject, the tokens' {@code sub})
 * @param sessionIds the newly revoked Keycloak session ids ({@code sid})
 * @param reason     {@code device-revoked:<reason>}, {@code signed-out-everywhere} or {@code session-ended:<reason>}
 */
public record SessionsRevoked(String accountId, Set<String> sessionIds, String reason) {

    public SessionsRevoked {
        sessionIds = Set.copyOf(sessionIds);
    }
}
