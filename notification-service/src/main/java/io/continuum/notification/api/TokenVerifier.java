package io.continuum.notification.api;

import io.continuum.platform.security.TokenClaims;
import io.continuum.platform.revocation.RevokedSessions;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifies a Keycloak access token outside an HTTP request (at the WebSocket upgrade and when a live connection
 * sends a refreshed token): signature, issuer, audience and expiry through the OIDC tenant, then the revoked-session
 * set.
 */
@ApplicationScoped
public class TokenVerifier {

    private final TenantIdentityProvider identities;
    private final RevokedSessions revoked;

    public TokenVerifier(TenantIdentityProvider identities, RevokedSessions revoked) {
        this.identities = identities;
        this.revoked = revoked;
    }

    /** The token's account, session and expiry; fails with {@link Refused} when the token is not acceptable. */
    public Uni<Verified> verify(String token) {
        if (token == null || token.isBlank()) {
            return Uni.createFrom().failure(new Refused("missing-token", "a bearer token is required"));
        }
        return identities.authenticate(new AccessTokenCredential(token))
                .onFailure().transform(e -> new Refused("invalid-token", "the token is invalid or expired"))
                .map(TokenVerifier.this::verified);
    }

    /**
     * {@link #verify(String)}, reusing {@code established} when it is the identity the HTTP layer already built from
     * this very token (proactive authentication of the upgrade request's {@code Authorization} header: signature,
     * issuer, audience and expiry checked by the same OIDC tenant). The revoked-session set is checked either way.
     * Verifying the token a second time was a fifth of a replica's CPU in a reconnect storm (docs/benchmarks.md).
     */
    public Uni<Verified> verify(String token, SecurityIdentity established) {
        if (token != null && established != null && !established.isAnonymous()
                && established.getPrincipal() instanceof JsonWebToken jwt && token.equals(jwt.getRawToken())) {
            return Uni.createFrom().item(() -> verified(established));
        }
        return verify(token);
    }

    private Verified verified(SecurityIdentity identity) {
        if (!(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getSubject() == null) {
            throw new Refused("invalid-token", "the token names no account");
        }
        String sid = TokenClaims.sessionId(jwt);
        if (sid != null && revoked.isRevoked(sid)) {
            throw new Refused("session-revoked", "the token's session was revoked");
        }
        return new Verified(jwt.getSubject(), sid, Instant.ofEpochSecond(jwt.getExpirationTime()));
    }

    public boolean isRevoked(String sid) {
        return sid != null && revoked.isRevoked(sid);
    }

    public record Verified(String accountId, String sessionId, Instant expiresAt) {
    }

    /** The token was refused; {@code code} is the machine-readable reason. */
    public static class Refused extends RuntimeException {
        public final String code;

        public Refused(String code, String message) {
            super(message);
            this.code = code;
        }
    }
}
