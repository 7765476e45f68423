package io.continuum.billing.api;

import io.continuum.billing.domain.AppStoreNotifications;
import io.continuum.billing.domain.PlayStoreNotifications;
import io.continuum.billing.domain.StripeSignature;
import io.continuum.billing.domain.StripeWebhooks;
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
    private final PlayStoreNotifications playStore;

    public WebhookResource(StripeWebhooks stripe, AppStoreNotifications appStore, PlayStoreNotifications playStore) {
        this.stripe = stripe;
        this.appStore = appStore;
        this.playStore = playStore;
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

    @POST
    @Path("/play_store")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Google Play Real-time developer notifications (Pub/Sub push)", description = "Authorization: the push"
            + " subscription's Google-signed OIDC token; the subscription is read from the Play Developer API; 200 once stored"
            + " (or a duplicate), 400 otherwise, 501 when no service-account key is configured")
    public Uni<Views.WebhookAck> playStore(@HeaderParam("Authorization") String authorization, byte[] body) {
        return playStore.handle(authorization, body == null ? new byte[0] : body)
                .map(o -> new Views.WebhookAck(true, o.eventId(), o.outcome()));
    }
}
