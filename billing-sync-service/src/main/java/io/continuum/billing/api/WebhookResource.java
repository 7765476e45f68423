package io.continuum.billing.api;

import io.continuum.billing.domain.StripeSignature;
import io.continuum.billing.domain.StripeWebhooks;
import io.continuum.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Provider webhooks ({@code /api/billing/webhooks/<store>}); no user token: the signature authenticates the sender.
 * The raw body is verified byte for byte, so it is read as bytes, never re-serialized.
 */
@Path("/api/billing/webhooks")
public class WebhookResource {

    private final StripeWebhooks stripe;

    public WebhookResource(StripeWebhooks stripe) {
        this.stripe = stripe;
    }

    @POST
    @Path("/stripe")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Stripe-compatible webhook", description = "Stripe-Signature verified; 200 once stored (or a duplicate), 400 otherwise")
    public Uni<Views.WebhookAck> stripe(@HeaderParam(StripeSignature.HEADER) String signature, byte[] body) {
        return stripe.handle(signature, body == null ? new byte[0] : body)
                .map(o -> new Views.WebhookAck(true, o.eventId(), o.outcome()));
    }

    /**
     * App Store Server Notifications v2 and Google Play RTDN: the model takes their subscriptions (store
     * {@code app_store} / {@code play_store}); their verification (JWS chain, Pub/Sub OIDC token) is not built yet,
     * so they are refused rather than trusted.
     */
    @POST
    @Path("/{store:app_store|play_store}")
    @Consumes(MediaType.WILDCARD)
    public Uni<Void> otherStore(@PathParam("store") String store) {
        throw new ProblemException(501, "store-not-supported", "Not implemented",
                "notifications of " + store + " are not verified yet; nothing was stored", null);
    }
}
