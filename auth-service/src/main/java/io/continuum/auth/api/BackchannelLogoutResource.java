package io.continuum.auth.api;

import io.continuum.auth.domain.BackchannelLogoutService;
import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * OIDC Back-Channel Logout endpoint, called by Keycloak (no bearer token: the logout token is the credential).
 * 200 when accepted, 400 problem+json naming {@code logout_token} otherwise (413 for a body over
 * {@value #MAX_BODY} characters); never cached.
 *
 * <p>The form body is read as text and decoded here rather than by the framework's form parser: a malformed
 * percent-escape ({@code logout_token=%zz%}) made that parser fail without ever answering (the request hung), and
 * an attribute over its size limit answered 500.
 */
@Path("/api/auth/backchannel-logout")
public class BackchannelLogoutResource {

    /** A logout token is a signed JWT of one or two kilobytes; 16 KiB leaves ample room. */
    static final int MAX_BODY = 16 * 1024;
    static final String FIELD = "logout_token";

    private final BackchannelLogoutService service;

    public BackchannelLogoutResource(BackchannelLogoutService service) {
        this.service = service;
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Uni<Response> logout(String body) {
        return service.logout(logoutToken(body))
                .replaceWith(Response.ok().header("Cache-Control", "no-store").build());
    }

    /** The single {@code logout_token} of an {@code application/x-www-form-urlencoded} body, or null when absent. */
    static String logoutToken(String body) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        if (body.length() > MAX_BODY) {
            throw new ProblemException(413, "too-large", "Payload too large",
                    "the form body must be at most " + MAX_BODY + " characters",
                    List.of(new Problem.FieldError(FIELD, "is too long")));
        }
        String token = null;
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (!FIELD.equals(name)) {
                continue;
            }
            if (token != null) {
                throw malformed("must be sent once");
            }
            token = eq < 0 ? "" : decode(pair.substring(eq + 1));
        }
        return token;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed("is not valid application/x-www-form-urlencoded");
        }
    }

    private static ProblemException malformed(String message) {
        return new ProblemException(400, "malformed", "Malformed request", FIELD + " " + message,
                List.of(new Problem.FieldError(FIELD, message)));
    }
}
