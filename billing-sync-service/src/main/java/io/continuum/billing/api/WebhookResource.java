package io.continuum.billing.api;

import io.continuum.billing.domain.AppStoreNotifications;
import io.continuum.billing.domain.StripeSignature;
import io.continuum.billing.domain.StripeWebhooks;
import io.continuum.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
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
    private final AppStoreNotifications appStore;

    public WebhookResource(StripeWebhooks stripe, AppStoreNotifications appStore) {
        this.stripe = stripe;
        this.appStore = appStore;
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

    @POST
    @Path("/app_store")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "App Store Server Notifications v2", description = "{\"signedPayload\":…}: JWS chain to the configured"
            + " App Store root verified; 200 once stored (or a duplicate), 400 otherwise, 501 when no root is configured")
    public Uni<Views.WebhookAck> appStore(byte[] body) {
        return appStore.handle(body == null ? new byte[0] : body)
                .map(o -> new Views.WebhookAck(true, o.eventId(), o.outcome()));
    }

    /**
     * Google Play RTDN: the model takes its subscriptions (store {@code play_store}); its verification (the Pub/Sub
     * push's OIDC token, then the Play Developer API's subscription state) is not built yet, so it is refused rather
     * than trusted.
     */
    @POST
    @Path("/play_store")
    @Consumes(MediaType.WILDCARD)
    public Uni<Void> playStore() {
        throw new ProblemException(501, "store-not-supported", "Not implemented",
                "notifications of play_store are not verified yet; nothing was stored", null);
    }
}
