package io.continuum.billing.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The simulated provider: merchants, checkout sessions, customers, subscriptions, and the events every change sends.
 * Objects are Stripe-shaped JSON ({@code checkout.session}, {@code subscription}, {@code invoice}, {@code charge},
 * {@code dispute}, {@code event}). Periods are 30 days.
 */
@ApplicationScoped
public class ProviderSimulator {

    static final long PERIOD_SECONDS = Duration.ofDays(30).toSeconds();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Merchant> merchants = new ConcurrentHashMap<>();
    private final WebhookSender sender;
    private final SimConfig config;

    public ProviderSimulator(WebhookSender sender, SimConfig config) {
        this.sender = sender;
        this.config = config;
        SimConfig.DefaultAccount d = config.defaultAccount();
        merchants.put(d.apiKey(), new Merchant(d.apiKey(), d.webhookUrl(), List.of(d.webhookSecret())));
    }

    Optional<Merchant> merchant(String apiKey) {
        return Optional.ofNullable(apiKey == null ? null : merchants.get(apiKey));
    }

    /** A new merchant account with a fresh API key and webhook secret (tests use one each). */
    Merchant createMerchant(String webhookUrl) {
        String key = "sk_test_" + id();
        Merchant m = new Merchant(key, webhookUrl, List.of("whsec_" + id()));
        merchants.put(key, m);
        return m;
    }

    /** The merchant that owns a checkout session (the checkout page has no API key). */
    Optional<Merchant> merchantOfSession(String sessionId) {
        return merchants.values().stream().filter(m -> m.sessions.containsKey(sessionId)).findFirst();
    }

    ObjectNode createCheckoutSession(Merchant m, Map<String, String> form, String idempotencyKey) {
        if (idempotencyKey != null) {
            String earlier = m.idempotency.get(idempotencyKey);
            if (earlier != null) {
                return m.sessions.get(earlier);
            }
        }
        String id = "cs_test_" + id();
        ObjectNode s = JSON.createObjectNode().put("id", id).put("object", "checkout.session").put("mode", "subscription")
                .put("status", "open").put("url", config.publicUrl() + "/checkout/" + id)
                .put("client_reference_id", form.get("client_reference_id"))
                .put("customer", form.get("customer"))
                .put("success_url", form.get("success_url"))
                .put("expires_at", now() + 24 * 3600)
                .put("created", now());
        s.putObject("metadata").put("price", form.get("line_items[0][price]"))
                .put("account_id", form.get("subscription_data[metadata][account_id]"));
        m.sessions.put(id, s);
        if (idempotencyKey != null) {
            m.idempotency.put(idempotencyKey, id);
        }
        return s;
    }

    /**
     * The user paid on the checkout page: a customer (unless the session named one), an active subscription, and the
     * events {@code checkout.session.completed}, {@code customer.subscription.created}, {@code invoice.paid}.
     */
    synchronized CompletableFuture<ObjectNode> completeCheckout(Merchant m, String sessionId) {
        ObjectNode s = m.sessions.get(sessionId);
        if (s == null) {
            throw new IllegalArgumentException("no such checkout session");
        }
        if (!"open".equals(s.path("status").asText())) {
            return CompletableFuture.completedFuture(s);
        }
        String customer = s.path("customer").isTextual() ? s.path("customer").asText() : null;
        if (customer == null) {
            customer = "cus_" + id();
            m.customers.put(customer, JSON.createObjectNode().put("id", customer).put("object", "customer"));
        }
        long start = now();
        String subId = "sub_" + id();
        ObjectNode sub = JSON.createObjectNode().put("id", subId).put("object", "subscription").put("customer", customer)
                .put("status", "active").put("cancel_at_period_end", false)
                .put("current_period_start", start).put("current_period_end", start + PERIOD_SECONDS)
                .put("created", start);
        sub.putObject("metadata").put("account_id", s.path("metadata").path("account_id").asText(null));
        sub.putObject("items").putArray("data").addObject().putObject("price").put("id", s.path("metadata").path("price").asText());
        m.subscriptions.put(subId, sub);
        s.put("status", "complete").put("customer", customer).put("subscription", subId);
        List<ObjectNode> batch = List.of(
                event(m, "checkout.session.completed", s),
                event(m, "customer.subscription.created", sub),
                event(m, "invoice.paid", invoice(sub, true)));
        return sender.send(m, batch).thenApply(x -> sub);
    }

    /** A renewal payment: {@code paid} moves the period on; {@code failed} makes the subscription {@code past_due}. */
    synchronized CompletableFuture<ObjectNode> renew(Merchant m, String subId, boolean paid) {
        ObjectNode sub = subscription(m, subId);
        if (paid) {
            long end = sub.path("current_period_end").asLong();
            long newEnd = Math.max(end, now()) + PERIOD_SECONDS;
            sub.put("status", "active").put("current_period_start", newEnd - PERIOD_SECONDS).put("current_period_end", newEnd);
        } else {
            sub.put("status", "past_due");
        }
        List<ObjectNode> batch = List.of(
                event(m, paid ? "invoice.paid" : "invoice.payment_failed", invoice(sub, paid)),
                event(m, "customer.subscription.updated", sub));
        return sender.send(m, batch).thenApply(x -> sub);
    }

    /** A failed renewal now, and its successful retry after {@code recoverAfter} (Stripe's smart retries). */
    CompletableFuture<ObjectNode> failThenRecover(Merchant m, String subId, Duration recoverAfter) {
        return renew(m, subId, false).thenCompose(sub -> CompletableFuture.supplyAsync(() -> sub,
                        CompletableFuture.delayedExecutor(recoverAfter.toMillis(), TimeUnit.MILLISECONDS)))
                .thenCompose(sub -> renew(m, subId, true));
    }

    synchronized CompletableFuture<ObjectNode> cancelAtPeriodEnd(Merchant m, String subId, boolean cancel) {
        ObjectNode sub = subscription(m, subId);
        sub.put("cancel_at_period_end", cancel);
        return sender.send(m, List.of(event(m, "customer.subscription.updated", sub))).thenApply(x -> sub);
    }

    /** Ends the subscription now ({@code customer.subscription.deleted}). */
    synchronized CompletableFuture<ObjectNode> cancelNow(Merchant m, String subId) {
        ObjectNode sub = subscription(m, subId);
        sub.put("status", "canceled").put("ended_at", now());
        return sender.send(m, List.of(event(m, "customer.subscription.deleted", sub))).thenApply(x -> sub);
    }

    /** A refund ({@code charge.refunded}) or a chargeback ({@code charge.dispute.created}) of the last payment. */
    synchronized CompletableFuture<ObjectNode> chargeback(Merchant m, String subId, boolean dispute) {
        ObjectNode sub = subscription(m, subId);
        ObjectNode charge = JSON.createObjectNode().put("id", "ch_" + id()).put("object", "charge")
                .put("customer", sub.path("customer").asText()).put("refunded", !dispute);
        charge.putObject("metadata").put("subscription_id", subId);
        ObjectNode object = charge;
        if (dispute) {
            object = JSON.createObjectNode().put("id", "dp_" + id()).put("object", "dispute")
                    .put("charge", charge.path("id").asText()).put("reason", "fraudulent");
            object.putObject("metadata").put("subscription_id", subId);
        }
        ObjectNode finalObject = object;
        return sender.send(m, List.of(event(m, dispute ? "charge.dispute.created" : "charge.refunded", object)))
                .thenApply(x -> finalObject);
    }

    /** Changes a subscription at the provider WITHOUT sending any event: the drift reconciliation must repair. */
    synchronized ObjectNode silentlySet(Merchant m, String subId, String status, Boolean cancelAtPeriodEnd) {
        ObjectNode sub = subscription(m, subId);
        if (status != null) {
            sub.put("status", status);
        }
        if (cancelAtPeriodEnd != null) {
            sub.put("cancel_at_period_end", cancelAtPeriodEnd);
        }
        return sub;
    }

    /** Delivers a stored event again (a provider-side duplicate, re-signed with a new timestamp). */
    CompletableFuture<Void> resend(Merchant m, String eventId) {
        ObjectNode e = m.events.get(eventId);
        if (e == null) {
            throw new IllegalArgumentException("no such event");
        }
        return sender.deliver(m, e, 1);
    }

    ObjectNode subscription(Merchant m, String subId) {
        ObjectNode sub = m.subscriptions.get(subId);
        if (sub == null) {
            throw new IllegalArgumentException("no such subscription: " + subId);
        }
        return sub;
    }

    private ObjectNode invoice(ObjectNode sub, boolean paid) {
        ObjectNode inv = JSON.createObjectNode().put("id", "in_" + id()).put("object", "invoice")
                .put("customer", sub.path("customer").asText()).put("subscription", sub.path("id").asText())
                .put("paid", paid).put("status", paid ? "paid" : "open");
        inv.putObject("lines").putArray("data").addObject().putObject("period")
                .put("start", sub.path("current_period_start").asLong()).put("end", sub.path("current_period_end").asLong());
        return inv;
    }

    private ObjectNode event(Merchant m, String type, ObjectNode object) {
        ObjectNode e = JSON.createObjectNode().put("id", "evt_" + id()).put("object", "event").put("api_version", "2024-06-20")
                .put("type", type).put("created", m.nextCreated()).put("livemode", false);
        e.putObject("data").set("object", object.deepCopy());
        m.events.put(e.path("id").asText(), e);
        return e;
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static String id() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }
}
