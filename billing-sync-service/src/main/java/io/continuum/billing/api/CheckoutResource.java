package io.continuum.billing.api;

import io.continuum.billing.domain.AccountWork;
import io.continuum.billing.domain.Catalog;
import io.continuum.billing.domain.CheckoutService;
import io.continuum.billing.provider.PaymentProvider;
import io.continuum.platform.idempotency.Idempotent;
import io.continuum.platform.idempotency.IdempotencyInterceptor;
import io.continuum.platform.problem.ProblemException;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * {@code POST /api/billing/checkout}: one checkout session at the provider per account and plan. Needs an
 * {@code Idempotency-Key} (a retried request gets the first answer); another device's concurrent request for the same
 * plan gets the same session; an account that already holds the plan's entitlements gets 409 with its subscription.
 */
@Path("/api/billing/checkout")
@Authenticated
public class CheckoutResource {

    private final CheckoutService checkouts;
    private final Catalog catalog;
    private final AccountWork accounts;

    public CheckoutResource(CheckoutService checkouts, Catalog catalog, AccountWork accounts) {
        this.checkouts = checkouts;
        this.catalog = catalog;
        this.accounts = accounts;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Idempotent
    @Operation(summary = "Start a purchase", description = "201 new session, 200 the open session of another device, 409 already entitled")
    public Uni<Response> checkout(@HeaderParam(IdempotencyInterceptor.HEADER) String idempotencyKey, Views.CheckoutRequest request) {
        if (idempotencyKey == null) {
            throw ProblemException.badRequest("Idempotency-Key required", "a checkout needs an Idempotency-Key header",
                    IdempotencyInterceptor.HEADER);
        }
        if (request == null || request.planId() == null || request.planId().isBlank()) {
            throw ProblemException.invalid("planId", "is required");
        }
        Catalog.Plan plan = catalog.plan(request.planId()).orElseThrow(() -> ProblemException.invalid("planId",
                "unknown plan '" + request.planId() + "'; plans: " + String.join(", ", catalog.planIds())));
        return checkouts.checkout(accounts.caller(), plan, idempotencyKey)
                .map(c -> Response.status(c.created() ? 201 : 200).entity(Views.Checkout.of(c.session(), !c.created())).build())
                .onFailure(CheckoutService.AlreadyEntitled.class).transform(e -> {
                    CheckoutService.AlreadyEntitled a = (CheckoutService.AlreadyEntitled) e;
                    return ProblemException.conflict("already-entitled", a.getMessage())
                            .with("entitlements", a.entitlements)
                            .with("subscription", a.subscription == null ? Map.of() : Views.Subscription.of(a.subscription));
                })
                .onFailure(PaymentProvider.ProviderUnavailable.class).transform(e -> ProblemException.unavailable(
                        "the payment provider is not reachable; try again"));
    }
}
