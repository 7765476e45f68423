package io.continuum.billing.api;

import io.continuum.billing.domain.AccountWork;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code GET /api/billing/entitlements}: the caller's entitlements with a strong ETag of the answer, served from the
 * in-memory {@link EntitlementView} (PostgreSQL only for an account not in memory).
 */
@Path("/api/billing/entitlements")
@Authenticated
public class EntitlementResource {

    private final EntitlementView view;
    private final AccountWork accounts;

    public EntitlementResource(EntitlementView view, AccountWork accounts) {
        this.view = view;
        this.accounts = accounts;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The caller's entitlements", description = "validUntil and state per entitlement; If-None-Match → 304")
    public Uni<Response> list(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return view.of(accounts.caller()).map(r -> r.matches(ifNoneMatch)
                ? Response.notModified(r.tag()).header(HttpHeaders.CACHE_CONTROL, "private, no-cache").build()
                : Response.ok(r.body(), MediaType.APPLICATION_JSON_TYPE).tag(r.tag())
                        .header(HttpHeaders.CACHE_CONTROL, "private, no-cache").build());
    }
}
