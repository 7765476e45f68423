package io.continuum.platform.security;

import io.quarkus.oidc.runtime.OidcJwtCallerPrincipal;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Claim reads on the hot path of every authenticated request. */
public final class TokenClaims {

    private TokenClaims() {}

    /**
     * The Keycloak session id ({@code sid}), or null. Read from the parsed claims directly: {@code getClaim("sid")}
     * goes through smallrye-jwt's standard-claim enum, which has no {@code sid} and so throws and catches an
     * exception on every call.
     */
    public static String sessionId(JsonWebToken token) {
        if (token instanceof OidcJwtCallerPrincipal oidc) {
            Object sid = oidc.getClaims().getClaimValue("sid");
            return sid == null ? null : sid.toString();
        }
        return token == null ? null : token.getClaim("sid");
    }
}
