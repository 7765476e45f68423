package io.continuum.platform.entitlement;

import io.continuum.events.billing.EntitlementChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The entitlements of every account as this instance knows them from {@code billing.events}: an in-memory read model,
 * so a service checks "may this account use premium?" with one hash-map read instead of a call to
 * billing-sync-service. Filled by {@link EntitlementConsumer} (every instance reads every partition from the start of
 * the log; one account's events are ordered on one partition, so the last event applied is the current state).
 *
 * <p>Staleness: a change reaches this model within milliseconds of billing-sync-service's commit (outbox → Kafka →
 * here). An entitlement also lapses on its own at {@code expiresAt} (checked at read time), so a missed or late
 * "lost" event never keeps a lapsed entitlement alive.
 */
@ApplicationScoped
public class Entitlements {

    /** One entitlement of one account, as of the last event. */
    public record Held(String entitlement, boolean active, String state, String reason, String productId,
                       Instant validUntil, Instant changedAt) {

        /** In force at {@code now}: active and not past its end. */
        public boolean inForce(Instant now) {
            return active && (validUntil == null || validUntil.isAfter(now));
        }
    }

    private final Map<String, Map<String, Held>> byAccount = new ConcurrentHashMap<>();
    private final List<BiConsumer<String, EntitlementChanged>> listeners = new CopyOnWriteArrayList<>();
    private final Clock clock;

    @Inject
    public Entitlements() {
        this(Clock.systemUTC());
    }

    public Entitlements(Clock clock) {
        this.clock = clock;
    }

    /** True when {@code accountId} holds {@code entitlement} in force now. Unknown accounts hold nothing. */
    public boolean has(String accountId, String entitlement) {
        return get(accountId, entitlement).map(h -> h.inForce(clock.instant())).orElse(false);
    }

    public Optional<Held> get(String accountId, String entitlement) {
        if (accountId == null || entitlement == null) {
            return Optional.empty();
        }
        Map<String, Held> held = byAccount.get(accountId);
        return Optional.ofNullable(held == null ? null : held.get(entitlement));
    }

    /** Every entitlement known for the account (in force or not). */
    public Map<String, Held> of(String accountId) {
        Map<String, Held> held = byAccount.get(accountId);
        return held == null ? Map.of() : Map.copyOf(held);
    }

    /**
     * Applies one {@code entitlement-changed} event. Events of one account arrive in order; {@code changedAt} (the
     * event time) additionally guards against an older event replacing a newer one.
     */
    public void apply(String accountId, EntitlementChanged e, Instant changedAt) {
        if (accountId == null || e == null || e.entitlement() == null) {
            return;
        }
        Held next = new Held(e.entitlement(), e.active(), e.state(), e.reason(), e.productId(), e.expiresAt(), changedAt);
        byAccount.computeIfAbsent(accountId, k -> new ConcurrentHashMap<>())
                .merge(e.entitlement(), next, (old, neu) -> old.changedAt() != null && neu.changedAt() != null
                        && neu.changedAt().isBefore(old.changedAt()) ? old : neu);
        for (BiConsumer<String, EntitlementChanged> listener : listeners) {
            listener.accept(accountId, e);
        }
    }

    /**
     * Calls {@code listener} (on the consumer's thread, after the model was updated) with the account and the change
     * of every {@code entitlement-changed} event applied; e.g. billing-sync-service forgets its cached view of that
     * account. Keep it short and non-blocking.
     */
    public void onChange(BiConsumer<String, EntitlementChanged> listener) {
        listeners.add(listener);
    }

    /** Number of accounts known (a gauge for operators and tests). */
    public int accounts() {
        return byAccount.size();
    }
}
