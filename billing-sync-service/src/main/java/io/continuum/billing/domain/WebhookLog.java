package io.continuum.billing.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.platform.inbox.ProcessedEvents;
import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * The exactly-once rule every store's notifications share (docs/billing.md): in ONE transaction the provider's
 * delivery id is marked processed ({@link ProcessedEvents}, consumer {@code webhook:<store>}), the effect applied and
 * the notification stored; a known id is acknowledged as {@code duplicate} without effect; a failure leaves neither
 * (the provider delivers again). Also the body parsing and field errors the stores' handlers share.
 */
@ApplicationScoped
public class WebhookLog {

    /** What happened to one delivery. */
    public record Outcome(String eventId, String type, String outcome) {}

    private final ProcessedEvents processed;
    private final BillingStore store;
    private final BillingTransactions transactions;
    private final MeterRegistry meters;

    public WebhookLog(ProcessedEvents processed, BillingStore store, BillingTransactions transactions, MeterRegistry meters) {
        this.processed = processed;
        this.store = store;
        this.transactions = transactions;
        this.meters = meters;
    }

    /**
     * Applies {@code effect} once per {@code id} of {@code storeName}; {@code version} is the provider's time of the
     * notification in ms (stored in seconds, as Stripe's {@code created}).
     */
    public Uni<Outcome> once(String storeName, String id, String type, long version, String payload, Supplier<Uni<String>> effect) {
        return transactions.inTransaction(() -> processed.markFirstDelivery("webhook:" + storeName, id).chain(first -> first
                ? effect.get().chain(outcome -> store.storeWebhook(storeName, id, type, version / 1000, version / 1000, outcome, payload)
                        .replaceWith(new Outcome(id, type, outcome)))
                : Uni.createFrom().item(new Outcome(id, type, "duplicate"))))
                .invoke(o -> counted(storeName, o.outcome()));
    }

    void counted(String storeName, String outcome) {
        meters.counter("continuum.billing.webhooks", "store", storeName, "outcome", outcome).increment();
    }

    /** The body as a JSON object, or 400 naming {@code $}. */
    static JsonNode object(ObjectMapper mapper, byte[] body, String title) {
        JsonNode n;
        try {
            n = mapper.readTree(body);
        } catch (IOException e) {
            throw field(title, "$", "the body is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw field(title, "$", "the body must be a JSON object");
        }
        return n;
    }

    /** 400 problem+json naming the field that is wrong. */
    static ProblemException field(String title, String name, String message) {
        return new ProblemException(400, "bad-request", title, name + ": " + message, List.of(new Problem.FieldError(name, message)));
    }
}
