package io.continuum.billing.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.config.BillingConfig;
import io.continuum.billing.provider.ProviderSubscription;
import io.continuum.platform.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * App Store Server Notifications v2 ({@code POST /api/billing/webhooks/app_store}, body {@code {"signedPayload":…}}):
 * the notification and the transaction/renewal info inside it are verified ({@link AppStoreSignedData}), then in ONE
 * transaction the {@code notificationUUID} is marked processed, the effect applied and the notification stored — the
 * same exactly-once rule as Stripe's webhooks. Apple resends the very same payload when an answer is not 2xx, so a
 * known {@code notificationUUID} is acknowledged without effect ({@code duplicate}).
 *
 * <p>Mapping to the model (docs/billing.md): the subscription is the {@code originalTransactionId}; the account is
 * the transaction's {@code appAccountToken} (the app sets it to the account id at purchase); the plan is the catalog
 * plan whose {@code storeProductIds.app_store} is the {@code productId}; the period ends at {@code expiresDate}; the
 * order of changes is the notification's {@code signedDate}. {@code data.status} 1 active, 2 expired, 3 billing retry
 * and 4 grace period (both {@code past_due}: entitled for our grace period), 5 revoked; auto-renew off is
 * "canceled at period end"; {@code REFUND} and {@code REVOKE} revoke at once.
 */
@ApplicationScoped
public class AppStoreNotifications {

    public static final String STORE = "app_store";
    private static final Logger LOG = Logger.getLogger(AppStoreNotifications.class);

    private static final String TITLE = "Invalid App Store notification";

    private final BillingConfig config;
    private final AppStoreSignedData signed;
    private final WebhookLog log;
    private final SubscriptionService subscriptions;
    private final Catalog catalog;
    private final ObjectMapper mapper;

    public AppStoreNotifications(BillingConfig config, AppStoreSignedData signed, WebhookLog log, SubscriptionService subscriptions,
                                 Catalog catalog, ObjectMapper mapper) {
        this.config = config;
        this.signed = signed;
        this.log = log;
        this.subscriptions = subscriptions;
        this.catalog = catalog;
        this.mapper = mapper;
    }

    public Uni<WebhookLog.Outcome> handle(byte[] body) {
        if (!signed.configured()) {
            throw new ProblemException(501, "store-not-configured", "App Store notifications not configured",
                    "no App Store root certificate is configured (continuum.billing.app-store.root-certificates); nothing was stored", null);
        }
        JsonNode notification;
        JsonNode tx;
        JsonNode renewal;
        try {
            Instant now = Instant.now();
            notification = signed.verify(WebhookLog.object(mapper, body, TITLE).path("signedPayload").asText(null), "signedPayload", now);
            JsonNode data = notification.path("data");
            String bundle = data.path("bundleId").asText(null);
            if (bundle != null && !bundle.equals(config.appStore().bundleId())) {
                throw field("signedPayload.data.bundleId", "is " + bundle + ", this service is for " + config.appStore().bundleId());
            }
            tx = data.hasNonNull("signedTransactionInfo")
                    ? signed.verify(data.path("signedTransactionInfo").asText(), "signedPayload.data.signedTransactionInfo", now) : null;
            renewal = data.hasNonNull("signedRenewalInfo")
                    ? signed.verify(data.path("signedRenewalInfo").asText(), "signedPayload.data.signedRenewalInfo", now) : null;
        } catch (ProblemException e) {
            log.counted(STORE, "bad-signature");
            LOG.warnf("app_store notification refused: %s", e.getMessage());
            throw e;
        }
        String id = required(notification, "notificationUUID");
        String type = required(notification, "notificationType");
        String subtype = notification.path("subtype").asText("");
        JsonNode signedDate = notification.get("signedDate");
        if (signedDate == null || !signedDate.canConvertToLong()) {
            throw field("signedPayload.signedDate", "must be a time in milliseconds");
        }
        long version = signedDate.asLong();
        String eventType = subtype.isEmpty() ? type : type + "." + subtype;
        return log.once(STORE, id, eventType, version, notification.toString(),
                () -> apply(type, notification.path("data"), tx, renewal, version));
    }

    private Uni<String> apply(String type, JsonNode data, JsonNode tx, JsonNode renewal, long version) {
        if (tx == null) {
            return Uni.createFrom().item("ignored"); // e.g. TEST, or a notification about the app, not a subscription
        }
        String original = tx.path("originalTransactionId").asText(null);
        Optional<Catalog.Plan> plan = catalog.planInStore(STORE, tx.path("productId").asText(null));
        if (original == null || plan.isEmpty()) {
            LOG.warnf("app_store notification %s: product %s is not in the catalog (storeProductIds.app_store) or no"
                    + " originalTransactionId; ignored", type, tx.path("productId").asText(null));
            return Uni.createFrom().item("ignored");
        }
        Instant expires = millis(tx.get("expiresDate"));
        int status = data.path("status").asInt(0);
        String providerStatus = switch (status) {
            case 1 -> "active";
            case 2 -> "canceled";
            case 3, 4 -> "past_due";
            case 5 -> "active"; // revoked below, after the subscription is known
            default -> expires != null && expires.isBefore(Instant.now()) ? "canceled" : "active";
        };
        boolean cancelAtPeriodEnd = renewal != null && renewal.path("autoRenewStatus").asInt(1) == 0;
        ProviderSubscription p = new ProviderSubscription(original, null, tx.path("appAccountToken").asText(null), plan.get().id(),
                providerStatus, millis(tx.get("purchaseDate")), expires, cancelAtPeriodEnd);
        Uni<SubscriptionService.Result> state = subscriptions.applyProviderState(STORE, p, version, "webhook");
        boolean revoke = "REFUND".equals(type) || "REVOKE".equals(type) || status == 5;
        if (!revoke) {
            return state.map(SubscriptionService.Result::outcome);
        }
        String reason = "REFUND".equals(type) ? "refunded" : "revoked";
        return state.chain(r -> r == SubscriptionService.Result.IGNORED ? Uni.createFrom().item(r)
                : subscriptions.revokeStored(STORE, original, version, reason)).map(SubscriptionService.Result::outcome);
    }

    private static String required(JsonNode n, String name) {
        String v = n.path(name).asText(null);
        if (v == null || v.isBlank()) {
            throw field("signedPayload." + name, "is required");
        }
        return v;
    }

    private static ProblemException field(String name, String message) {
        return WebhookLog.field(TITLE, name, message);
    }

    private static Instant millis(JsonNode n) {
        return n == null || !n.canConvertToLong() ? null : Instant.ofEpochMilli(n.asLong());
    }
}
