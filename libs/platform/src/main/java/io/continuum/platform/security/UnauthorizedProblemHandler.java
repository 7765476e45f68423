package io.continuum.platform.security;

import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.revocation.SessionRevokedException;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Proactive authentication fails before any JAX-RS exception mapper runs, and Quarkus' own answer is a bare 401.
 * This failure handler answers every authentication failure as problem+json (RFC 9457) with the RFC 6750 challenge:
 * <ul>
 *   <li>a bad token (expired, wrong issuer or audience, tampered, {@code none} algorithm, garbage): 401
 *       {@code unauthorized}, {@code WWW-Authenticate: Bearer error="invalid_token"}, a fixed detail that does not
 *       say which check failed;</li>
 *   <li>no token at all: 401 {@code unauthorized}, {@code WWW-Authenticate: Bearer realm="continuum"} (RFC 6750
 *       §3.1: a request without credentials gets no error code);</li>
 *   <li>a revoked session: 401 {@code session-revoked}, {@code Bearer error="invalid_token"}, so the device knows it
 *       was signed out;</li>
 *   <li>a service account's token ({@link UserTokenAugmentor}): 403 {@code user-token-required}.</li>
 * </ul>
 * {@link io.continuum.platform.problem.ProblemMappers} gives the same answers when the failure surfaces inside a
 * REST endpoint (a missing token on an {@code @Authenticated} resource).
 */
@ApplicationScoped
public class UnauthorizedProblemHandler {

    public static final String INVALID_TOKEN_CHALLENGE = "Bearer error=\"invalid_token\"";
    public static final String NO_TOKEN_CHALLENGE = "Bearer realm=\"continuum\"";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            if (ctx.response().ended() || ctx.response().headWritten()) {
                ctx.next();
                return;
            }
            ProblemException problem = problemFor(ctx.failure(), ctx.statusCode());
            if (problem == null) {
                ctx.next();
                return;
            }
            send(ctx, problem, hasBearer(ctx));
        });
    }

    /** The problem for an authentication failure, or null when {@code failure} is not one. */
    public static ProblemException problemFor(Throwable failure, int status) {
        if (is(failure, SessionRevokedException.class)) {
            return new ProblemException(401, "session-revoked", "Unauthorized",
                    "this sign-in session has ended; sign in again", null);
        }
        if (is(failure, ServiceAccountRefusedException.class)) {
            return userTokenRequired();
        }
        if (isAuthenticationFailure(failure) || (failure == null && status == 401)) {
            return ProblemException.unauthorized();
        }
        return null;
    }

    public static ProblemException userTokenRequired() {
        return new ProblemException(403, "user-token-required", "Forbidden",
                "this API acts for a signed-in user; a service account's token is not accepted", null);
    }

    /** The RFC 6750 challenge of a 401: an error code only when a token was sent. */
    public static String challenge(boolean tokenSent) {
        return tokenSent ? INVALID_TOKEN_CHALLENGE : NO_TOKEN_CHALLENGE;
    }

    static boolean hasBearer(RoutingContext ctx) {
        String auth = ctx.request().getHeader("Authorization");
        return auth != null && !auth.isBlank();
    }

    static void send(RoutingContext ctx, ProblemException e, boolean tokenSent) {
        Problem problem = e.toProblem(ctx.normalizedPath());
        var response = ctx.response().setStatusCode(e.status()).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (e.status() == 401) {
            response.putHeader("WWW-Authenticate", challenge(tokenSent));
        }
        response.putHeader("Cache-Control", "no-store").end(Json.encode(problem));
    }

    static boolean isAuthenticationFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationFailedException || t instanceof UnauthorizedException
                    || t instanceof AuthenticationCompletionException) {
                return true;
            }
        }
        return false;
    }

    static boolean is(Throwable failure, Class<? extends Throwable> cause) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (cause.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
