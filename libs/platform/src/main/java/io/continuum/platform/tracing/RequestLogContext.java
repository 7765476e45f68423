package io.continuum.platform.tracing;

import io.continuum.platform.security.Caller;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Puts the caller's account (token {@code sub}) and device ({@code X-Device-Id}, only when it is a well-formed id)
 * in the MDC of every REST request, so each log line of it names them; the trace id comes from quarkus-opentelemetry
 * when tracing is on. The MDC lives in the request's Vert.x context, so nothing leaks to the next request.
 */
@Singleton
public class RequestLogContext {

    private final CurrentIdentityAssociation identities;

    public RequestLogContext(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    @ServerRequestFilter
    public void fill(HttpServerRequest request) {
        SecurityIdentity identity = identities.getIdentity();
        String account = identity != null && identity.getPrincipal() instanceof JsonWebToken token ? token.getSubject() : null;
        LogContext.put(LogContext.ACCOUNT_ID, account);
        String device = request.getHeader(Caller.DEVICE_HEADER);
        LogContext.put(LogContext.DEVICE_ID, device != null && Caller.DEVICE_ID.matcher(device).matches() ? device : null);
    }
}
