package io.continuum.platform.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Every endpoint of every service acts for a user's account (the token's {@code sub}), so only a user's sign-in
 * may call it. A {@code client_credentials} token of a service account (e.g. {@code continuum-service}) is signed by
 * the realm and may carry the API audience, but its {@code sub} is the service account, not an account of the
 * product: it would read and write a phantom account's state. Such a token has no sign-in session ({@code sid}),
 * which every user token has (password, authorization code, device grant, refresh and offline tokens alike); it
 * is refused here, inside authentication, before any endpoint runs: 403 problem+json {@code user-token-required}
 * ({@link UnauthorizedProblemHandler}). No endpoint accepts a service account today; one that should would get its
 * own role check instead.
 */
@ApplicationScoped
public class UserTokenAugmentor implements SecurityIdentityAugmentor {

    static final String SERVICE_ACCOUNT_PREFIX = "service-account-";

    @Override
    public int priority() {
        return 1100; // before the revocation check: a service account has no session to look up
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!identity.isAnonymous() && identity.getPrincipal() instanceof JsonWebToken jwt && !isUserSignIn(jwt)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("not a user sign-in",
                    new ServiceAccountRefusedException()));
        }
        return Uni.createFrom().item(identity);
    }

    /** A user's sign-in: a session id, and not a Keycloak service-account user. */
    public static boolean isUserSignIn(JsonWebToken jwt) {
        if (TokenClaims.sessionId(jwt) == null) {
            return false;
        }
        Object username = jwt.getClaim("preferred_username");
        return username == null || !username.toString().startsWith(SERVICE_ACCOUNT_PREFIX);
    }
}
