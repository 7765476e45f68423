package io.continuum.billing.api;

import io.continuum.billing.domain.BillingTransactions;
import io.continuum.billing.domain.StripeWebhooks;
import io.continuum.billing.domain.Status;
import io.continuum.billing.domain.SubscriptionService;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.billing.provider.PaymentProvider;
import io.continuum.platform.idempotency.Idempotent;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.security.Caller;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
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
    private final Caller caller;
    private final BillingTransactions transactions;

    public SubscriptionResource(BillingStore store, SubscriptionService subscriptions, PaymentProvider provider, Caller caller,
                                BillingTransactions transactions) {
        this.transactions = transactions;
        this.store = store;
        this.subscriptions = subscriptions;
        this.provider = provider;
        this.caller = caller;
    }

    @GET
    @WithSession
    @Operation(summary = "The caller's subscriptions, oldest first")
    public Uni<Views.Subscriptions> list() {
        return store.subscriptionsOf(caller.accountId())
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
        String account = caller.accountId();
        return transactions.inTransaction(() -> store.subscriptionOf(account, uuid).chain(found -> {
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
