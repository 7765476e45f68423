package io.continuum.platform.security;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.runtime.OidcIdentityProvider;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Bearer-token authentication with a memory of tokens already verified ({@link VerifiedTokens}). It is asked before
 * quarkus-oidc's own provider (higher priority) and hands every token it has not verified yet to that provider, so
 * what is accepted is exactly what quarkus-oidc accepts (signature, issuer, audience, {@code exp}, ...); a token seen
 * before gets the identity quarkus-oidc built for it, re-bound to the current request. Either way the identity then
 * runs through all augmentors (revocation, user sign-in) like any other.
 *
 * <p>quarkus-oidc's own token cache ({@code quarkus.oidc.token-cache.*}) only keeps introspection and UserInfo
 * answers; a locally verified JWT is verified again on every request, hence this.
 */
@ApplicationScoped
public class CachedTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final VerifiedTokens tokens;
    private final OidcIdentityProvider oidc;

    public CachedTokenIdentityProvider(VerifiedTokens tokens, OidcIdentityProvider oidc) {
        this.tokens = tokens;
        this.oidc = oidc;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        // quarkus-oidc's provider keeps the interface's default (1001); providers are asked from the highest down
        return IdentityProvider.super.priority() + 1000;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!tokens.enabled() || !(request.getToken() instanceof AccessTokenCredential credential) || credential.isOpaque()) {
            return Uni.createFrom().nullItem(); // quarkus-oidc's provider, next in line, handles it as before
        }
        String raw = credential.getToken();
        SecurityIdentity verified = tokens.get(raw);
        if (verified != null) {
            return Uni.createFrom().item(forThisRequest(verified, request, context));
        }
        return oidc.authenticate(request, context).invoke(identity -> tokens.put(raw, identity));
    }

    /** The cached identity with this request's routing context (quarkus-oidc's identity carries the one it was built in). */
    private static SecurityIdentity forThisRequest(SecurityIdentity verified, TokenAuthenticationRequest request,
                                                   AuthenticationRequestContext context) {
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder(verified)
                .addAttribute(AuthenticationRequestContext.class.getName(), context);
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (rc != null) {
            b.addAttribute(RoutingContext.class.getName(), rc);
        }
        return b.build();
    }
}
