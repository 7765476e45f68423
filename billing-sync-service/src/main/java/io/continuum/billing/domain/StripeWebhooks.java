package io.continuum.billing.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.config.BillingConfig;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.billing.persistence.SubscriptionEntity;
import io.continuum.billing.provider.PaymentProvider;
import io.continuum.billing.provider.ProviderSubscription;
import io.continuum.platform.inbox.ProcessedEvents;
import io.continuum.platform.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Handles a Stripe webhook delivery: verify the signature, then in ONE transaction mark the provider event id as
 * processed ({@link ProcessedEvents}), apply its effect and store it; so an event has its effect exactly once, and a
 * failure leaves neither effect nor record (the provider retries).
 *
 * <p>Same event id again: a redelivery by the provider carries a new signature time {@code t} and is acknowledged
 * without effect ({@code duplicate}); the very same signed request again (same {@code t}) is a replay and gets 400.
 */
@ApplicationScoped
public class StripeWebhooks {

    public static final String STORE = "stripe";
    static final String CONSUMER = "webhook:stripe";
    private static final Logger LOG = Logger.getLogger(StripeWebhooks.class);

    private final BillingConfig config;
    private final ProcessedEvents processed;
    private final BillingStore store;
    private final SubscriptionService subscriptions;
    private final PaymentProvider provider;
    private final ObjectMapper mapper;
    private final MeterRegistry meters;
    private final BillingTransactions transactions;

    public StripeWebhooks(BillingConfig config, ProcessedEvents processed, BillingStore store, SubscriptionService subscriptions,
                          PaymentProvider provider, ObjectMapper mapper, MeterRegistry meters, BillingTransactions transactions) {
        this.transactions = transactions;
        this.config = config;
        this.processed = processed;
        this.store = store;
        this.subscriptions = subscriptions;
        this.provider = provider;
        this.mapper = mapper;
        this.meters = meters;
    }

    public Uni<WebhookLog.Outcome> handle(String signature, byte[] body) {
        long t;
        try {
            // wall-clock time, not BillingClock: the provider signs with its real clock
            t = StripeSignature.verify(signature, body, config.stripe().webhookSecrets(), config.stripe().tolerance(), Instant.now());
        } catch (ProblemException e) {
            meters.counter("continuum.billing.webhooks", "store", STORE, "outcome", "bad-signature").increment();
            LOG.warnf("stripe webhook refused: %s", e.getMessage());
            throw e;
        }
        JsonNode event = WebhookLog.object(mapper, body, "Invalid webhook event");
        String id = required(event, "id").asText();
        String type = required(event, "type").asText();
        JsonNode createdNode = required(event, "created");
        if (!createdNode.canConvertToLong()) {
            throw field("created", "must be a Unix time in seconds");
        }
        long created = createdNode.asLong();
        JsonNode object = event.path("data").path("object");
        if (!object.isObject()) {
            throw field("data.object", "is required");
        }
        String payload = new String(body, StandardCharsets.UTF_8);
        return transactions.inTransaction(() -> processed.markFirstDelivery(CONSUMER, id).chain(first -> {
            if (!first) {
                return store.webhookSignatureTime(STORE, id).map(previousT -> {
                    if (previousT.isPresent() && previousT.get() == t) {
                        throw new ProblemException(400, "webhook-replayed", "Webhook replayed",
                                "event " + id + " was already accepted with this very signature", null);
                    }
                    return new WebhookLog.Outcome(id, type, "duplicate");
                });
            }
            return apply(type, object, created)
                    .chain(outcome -> store.storeWebhook(STORE, id, type, created, t, outcome, payload).replaceWith(outcome))
                    .map(outcome -> new WebhookLog.Outcome(id, type, outcome));
        })).invoke(o -> {
            meters.counter("continuum.billing.webhooks", "store", STORE, "outcome", o.outcome()).increment();
            LOG.debugf("stripe webhook %s %s: %s", id, type, o.outcome());
        }).onFailure(ProblemException.class).invoke(e -> meters.counter("continuum.billing.webhooks", "store", STORE,
                "outcome", "refused").increment());
    }

    private Uni<String> apply(String type, JsonNode o, long created) {
        return switch (type) {
            case "checkout.session.completed" -> checkoutCompleted(o, created);
            case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted" ->
                    subscriptions.applyProviderState(STORE, ProviderSubscription.fromStripe(o), created, "webhook").map(SubscriptionService.Result::outcome);
            case "invoice.paid" -> withSubscription(text(o, "subscription"), created,
                    s -> subscriptions.paid(s, created, epoch(o.path("lines").path("data").path(0).path("period").get("start")),
                            epoch(o.path("lines").path("data").path(0).path("period").get("end"))));
            case "invoice.payment_failed" -> withSubscription(text(o, "subscription"), created, s -> subscriptions.paymentFailed(s, created));
            case "charge.refunded" -> withSubscription(chargeSubscription(o), created, s -> subscriptions.revoke(s, created, "refunded"));
            case "charge.dispute.created" -> withSubscription(chargeSubscription(o), created, s -> subscriptions.revoke(s, created, "disputed"));
            default -> Uni.createFrom().item("ignored");
        };
    }

    private Uni<String> checkoutCompleted(JsonNode o, long created) {
        String account = text(o, "client_reference_id");
        String customer = text(o, "customer");
        String session = text(o, "id");
        Uni<Void> link = account != null && customer != null ? store.linkCustomer(STORE, customer, account) : Uni.createFrom().voidItem();
        Uni<Void> complete = session != null ? store.completeCheckout(session) : Uni.createFrom().voidItem();
        String sub = text(o, "subscription");
        return link.chain(() -> complete).chain(() -> sub == null ? Uni.createFrom().item("applied")
                : withSubscription(sub, created, s -> Uni.createFrom().item(SubscriptionService.Result.UNCHANGED)));
    }

    /**
     * Runs {@code effect} on the stored subscription, locked. A subscription not stored yet (its own
     * {@code customer.subscription.created} is late or lost) is read from the provider first.
     */
    private Uni<String> withSubscription(String providerId, long created, Function<SubscriptionEntity, Uni<SubscriptionService.Result>> effect) {
        if (providerId == null) {
            return Uni.createFrom().item("ignored");
        }
        return store.lockSubscription(STORE, providerId)
                .chain(() -> store.subscription(STORE, providerId))
                .chain(found -> found.isPresent() ? Uni.createFrom().item(found)
                        : provider.subscription(providerId)
                                .chain(p -> subscriptions.applyProviderState(STORE, p, created, "webhook"))
                                .chain(() -> store.subscription(STORE, providerId)))
                .chain(found -> found.isEmpty() ? Uni.createFrom().item(SubscriptionService.Result.IGNORED) : effect.apply(found.get()))
                .map(SubscriptionService.Result::outcome);
    }

    private static String chargeSubscription(JsonNode charge) {
        String s = charge.path("metadata").path("subscription_id").asText(null);
        return s != null ? s : text(charge, "subscription");
    }



    private static JsonNode required(JsonNode event, String name) {
        JsonNode n = event.get(name);
        if (n == null || n.isNull() || (n.isTextual() && n.asText().isBlank())) {
            throw field(name, "is required");
        }
        return n;
    }

    private static ProblemException field(String name, String message) {
        return WebhookLog.field("Invalid webhook event", name, message);
    }

    private static String text(JsonNode o, String name) {
        JsonNode n = o.get(name);
        return n == null || n.isNull() || !n.isValueNode() ? null : n.asText();
    }

    private static Instant epoch(JsonNode n) {
        return n == null || !n.canConvertToLong() ? null : Instant.ofEpochSecond(n.asLong());
    }

}
