package io.continuum.billing.api;

import io.continuum.billing.domain.AccountWork;
import io.continuum.billing.domain.StripeWebhooks;
import io.continuum.billing.domain.Status;
import io.continuum.billing.domain.SubscriptionService;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.billing.provider.PaymentProvider;
import io.continuum.platform.idempotency.Idempotent;
import io.continuum.platform.problem.ProblemException;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The caller's subscriptions; cancel at period end. Another account's subscription is 404 (never revealed). */
@Path("/api/billing/subscriptions")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class SubscriptionResource {

    private final BillingStore store;
    private final SubscriptionService subscriptions;
    private final PaymentProvider provider;
    private final AccountWork accounts;

    public SubscriptionResource(BillingStore store, SubscriptionService subscriptions, PaymentProvider provider, AccountWork accounts) {
        this.accounts = accounts;
        this.store = store;
        this.subscriptions = subscriptions;
        this.provider = provider;
    }

    @GET
    @Operation(summary = "The caller's subscriptions, oldest first")
    public Uni<Views.Subscriptions> list() {
        return accounts.read(accounts.caller(), (account, now) -> store.subscriptionsOf(account))
                .map(l -> new Views.Subscriptions(l.stream().map(Views.Subscription::of).toList()));
    }

    @POST
    @Path("/{id}/cancel")
    @Idempotent
    @Operation(summary = "Cancel at the end of the paid period", description = "entitlements stay until then; 409 when not live")
    public Uni<Response> cancel(@PathParam("id") String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("subscription " + id);
        }
        // locks the subscription, then (deriving entitlements) the account: no account lock first (lock order)
        return accounts.write(accounts.caller(), AccountWork.Lock.NONE, (account, now) -> store.subscriptionOf(account, uuid).chain(found -> {
            if (found == null) {
                throw ProblemException.notFound("subscription " + id);
            }
            if (!StripeWebhooks.STORE.equals(found.store)) {
                throw ProblemException.conflict("cancel-at-store", "this subscription was bought in " + found.store
                        + "; cancel it in that store's settings");
            }
            return store.lockSubscription(found.store, found.providerId)
                    .chain(() -> store.subscription(found.store, found.providerId))
                    .map(o -> o.orElseThrow())
                    .chain(s -> {
                        if (s.cancelAtPeriodEnd && Status.CANCELED.equals(s.status)) {
                            return Uni.createFrom().item(s); // already canceled: same answer
                        }
                        if (!Status.live(s.status)) {
                            throw ProblemException.conflict("not-cancelable", "the subscription is " + s.status);
                        }
                        return provider.cancelAtPeriodEnd(s.providerId)
                                .chain(p -> subscriptions.canceledByUser(s)).replaceWith(s);
                    });
        })).map(s -> Response.ok(Views.Subscription.of(s)).build())
                .onFailure(PaymentProvider.ProviderUnavailable.class).transform(e -> ProblemException.unavailable(
                        "the payment provider is not reachable; try again"));
    }
}
