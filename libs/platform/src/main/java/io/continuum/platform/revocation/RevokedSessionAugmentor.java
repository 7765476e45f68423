package io.continuum.platform.revocation;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.continuum.platform.security.TokenClaims;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Refuses an authenticated bearer token whose session ({@code sid}) is revoked, even though the token has not
 * expired. An augmentor runs inside authentication itself (proactive by default), so it guards every HTTP request
 * and every WebSocket upgrade alike, before any endpoint code runs; the refusal is a 401 problem+json
 * ({@link io.continuum.platform.security.UnauthorizedProblemHandler}). The lookup is one hash-map read.
 */
@ApplicationScoped
public class RevokedSessionAugmentor implements SecurityIdentityAugmentor {

    private final RevokedSessions revoked;

    public RevokedSessionAugmentor(RevokedSessions revoked) {
        this.revoked = revoked;
    }

    @Override
    public int priority() {
        // before other augmentors: a revoked identity needs no roles
        return 1000;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!identity.isAnonymous() && identity.getPrincipal() instanceof JsonWebToken jwt
                && revoked.isRevoked(TokenClaims.sessionId(jwt))) {
            return Uni.createFrom().failure(new AuthenticationFailedException("session revoked", new SessionRevokedException()));
        }
        return Uni.createFrom().item(identity);
    }
}
