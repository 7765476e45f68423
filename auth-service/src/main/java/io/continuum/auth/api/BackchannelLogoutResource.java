package io.continuum.auth.api;

import io.continuum.auth.domain.BackchannelLogoutService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;

/**
 * OIDC Back-Channel Logout endpoint, called by Keycloak (no bearer token: the logout token is the credential).
 * 200 when accepted, 400 problem+json naming {@code logout_token} otherwise; never cached.
 */
@Path("/api/auth/backchannel-logout")
public class BackchannelLogoutResource {

    private final BackchannelLogoutService service;

    public BackchannelLogoutResource(BackchannelLogoutService service) {
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> logout(@RestForm("logout_token") String logoutToken) {
        return service.logout(logoutToken)
                .replaceWith(Response.ok().header("Cache-Control", "no-store").build());
    }
}
