package io.continuum.platform.revocation;

import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Proactive authentication fails before any JAX-RS exception mapper runs. For a revoked session this failure handler
 * answers 401 problem+json ({@code type …/session-revoked}) with {@code WWW-Authenticate: Bearer error="invalid_token"},
 * so the device knows it was signed out. Every other authentication failure (expired, wrong issuer or audience,
 * tampered, {@code none} algorithm) keeps the platform's answer: 401 with an empty body and no detail.
 */
@ApplicationScoped
public class RevokedSessionProblemHandler {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            if (!isRevocation(ctx.failure()) || ctx.response().ended() || ctx.response().headWritten()) {
                ctx.next();
                return;
            }
            Problem problem = new ProblemException(401, "session-revoked", "Unauthorized",
                    "this sign-in session has ended; sign in again", null).toProblem(ctx.normalizedPath());
            ctx.response().setStatusCode(401)
                    .putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                    .end(Json.encode(problem));
        });
    }

    static boolean isRevocation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationFailedException && t.getCause() instanceof SessionRevokedException) {
                return true;
            }
        }
        return false;
    }
}
