package io.continuum.billing.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One simulated merchant account, keyed by its secret API key (as at Stripe): its webhook endpoint, customers,
 * checkout sessions, subscriptions, events, deliveries, and the delivery behaviour a test switched on. Accounts are
 * independent, so concurrent test runs never see each other's webhooks.
 */
final class Merchant {

    /** Delivery behaviour, switchable per test. */
    record Behaviour(boolean duplicates, boolean outOfOrder, boolean suppressWebhooks) {
        static final Behaviour NORMAL = new Behaviour(false, false, false);
    }

    /** One delivery attempt of one event. */
    record Delivery(String eventId, String type, int attempt, int status, long at) {}

    final String apiKey;
    volatile String webhookUrl;
    volatile List<String> webhookSecrets;
    volatile Behaviour behaviour = Behaviour.NORMAL;
    final Map<String, ObjectNode> customers = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> sessions = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> subscriptions = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> events = new ConcurrentHashMap<>();
    /** Idempotency-Key → checkout session id (Stripe replays the first answer for a key). */
    final Map<String, String> idempotency = new ConcurrentHashMap<>();
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private long lastCreated;

    Merchant(String apiKey, String webhookUrl, List<String> webhookSecrets) {
        this.apiKey = apiKey;
        this.webhookUrl = webhookUrl;
        this.webhookSecrets = List.copyOf(webhookSecrets);
    }

    /**
     * The {@code created} time of the next event: now in seconds, but strictly after the previous event of this
     * merchant, so tests of ordering are unambiguous (a real provider may give two events the same second).
     */
    synchronized long nextCreated() {
        lastCreated = Math.max(System.currentTimeMillis() / 1000, lastCreated + 1);
        return lastCreated;
    }
}
