package io.continuum.billing.domain;

import io.continuum.billing.persistence.BillingStore;
import io.continuum.platform.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The preamble every account operation of billing shares, in one place: whose account (the authenticated caller for
 * the API), the instant its decisions use ({@link BillingClock}), and a session or one write transaction
 * ({@link BillingTransactions#inTransaction}, joined when one is open), with the account's row lock held to commit
 * when the work decides from the account's whole state (checkout, entitlement derivation).
 *
 * <p>Lock order: work that locks a subscription first (webhooks, cancel) takes the account lock after it, through the
 * derivation; so {@link Lock#ACCOUNT} is only for work that locks no subscription afterwards.
 */
@ApplicationScoped
public class AccountWork {

    public enum Lock { NONE, ACCOUNT }

    /** Work on one account at one instant. */
    @FunctionalInterface
    public interface Work<T> {
        Uni<T> on(String accountId, Instant now);
    }

    private final BillingTransactions transactions;
    private final BillingStore store;
    private final BillingClock clock;
    private final Caller caller;

    public AccountWork(BillingTransactions transactions, BillingStore store, BillingClock clock, Caller caller) {
        this.transactions = transactions;
        this.store = store;
        this.clock = clock;
        this.caller = caller;
    }

    /** The authenticated caller's account ({@code sub}); 401 problem without one. Call on the request's thread. */
    public String caller() {
        return caller.accountId();
    }

    /** {@code work} with a session, no transaction (reads). */
    public <T> Uni<T> read(String accountId, Work<T> work) {
        Instant now = clock.now();
        return Panache.withSession(() -> work.on(accountId, now));
    }

    /** {@code work} in one transaction (the open one, when nested); with {@link Lock#ACCOUNT} the account's lock first. */
    public <T> Uni<T> write(String accountId, Lock lock, Work<T> work) {
        Instant now = clock.now();
        return transactions.inTransaction(() -> lock == Lock.ACCOUNT
                ? store.lockAccount(accountId).chain(() -> work.on(accountId, now))
                : work.on(accountId, now));
    }
}
