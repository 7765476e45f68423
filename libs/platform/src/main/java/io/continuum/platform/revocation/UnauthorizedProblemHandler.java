package io.continuum.platform.revocation;

import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Proactive authentication fails before any JAX-RS exception mapper runs (bad signature, expired, wrong issuer or
 * audience, {@code none} algorithm, revoked session). This failure handler answers all of them alike: 401
 * problem+json with {@code WWW-Authenticate: Bearer error="invalid_token"}, and no detail on which check failed.
 */
@ApplicationScoped
public class UnauthorizedProblemHandler {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            if (!(rootCause(ctx.failure()) instanceof AuthenticationFailedException) || ctx.response().ended()
                    || ctx.response().headWritten()) {
                ctx.next();
                return;
            }
            Problem problem = ProblemException.unauthorized().toProblem(ctx.normalizedPath());
            ctx.response().setStatusCode(401)
                    .putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                    .end(Json.encode(problem));
        });
    }

    private static Throwable rootCause(Throwable t) {
        Throwable current = t;
        while (current != null && !(current instanceof AuthenticationFailedException) && current.getCause() != null
                && current.getCause() != current) {
            current = current.getCause();
        }
        return current;
    }
}
