package io.continuum.billing.domain;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The one way billing-sync-service opens a write transaction. Besides {@link Panache#withTransaction} it remembers
 * which accounts' entitlement rows the work wrote ({@link #entitlementsWritten}) and, once the transaction has ended
 * (committed or rolled back), fires {@link EntitlementsChanged} for them in this process, so an in-memory copy (the
 * entitlement view of {@code GET /api/billing/entitlements}) is dropped before the request that made the change
 * answers. A nested call joins the outer transaction and leaves the notification to it.
 */
@ApplicationScoped
public class BillingTransactions {

    /** The accounts whose entitlements a transaction of this process wrote; fired after it ended. */
    public record EntitlementsChanged(Set<String> accountIds) {}

    private static final String WRITTEN = BillingTransactions.class.getName() + ".entitlements-written";

    private final Event<EntitlementsChanged> changed;

    public BillingTransactions(Event<EntitlementsChanged> changed) {
        this.changed = changed;
    }

    /** Runs {@code work} in one transaction (the caller's, when one is open already). Needs a Vert.x duplicated context. */
    public <T> Uni<T> inTransaction(Supplier<Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            if (ContextLocals.get(WRITTEN).isPresent()) {
                return Panache.withTransaction(work);
            }
            Set<String> written = ConcurrentHashMap.newKeySet();
            ContextLocals.put(WRITTEN, written);
            return Panache.withTransaction(work).onTermination().invoke(() -> {
                ContextLocals.remove(WRITTEN);
                if (!written.isEmpty()) {
                    changed.fire(new EntitlementsChanged(Set.copyOf(written)));
                }
            });
        });
    }

    /**
     * Records that the current transaction wrote entitlement rows of {@code accountId}. Outside
     * {@link #inTransaction} this fails (and with it the transaction): a write nobody is told about would leave a
     * cached view stale.
     */
    public void entitlementsWritten(String accountId) {
        Set<String> written = ContextLocals.<Set<String>>get(WRITTEN).orElseThrow(() -> new IllegalStateException(
                "entitlements of " + accountId + " written outside BillingTransactions.inTransaction"));
        written.add(accountId);
    }
}
