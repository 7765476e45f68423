package io.continuum.billing.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.domain.AccountWork;
import io.continuum.billing.domain.BillingClock;
import io.continuum.billing.domain.BillingTransactions;
import io.continuum.billing.persistence.BillingStore;
import io.continuum.billing.persistence.EntitlementEntity;
import io.continuum.platform.entitlement.EntitlementConsumer;
import io.continuum.platform.entitlement.Entitlements;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.EntityTag;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * The answer of {@code GET /api/billing/entitlements} per account, kept in memory (Caffeine through quarkus-cache:
 * bounded in size, entries dropped after a TTL as a safety net; see {@code quarkus.cache.caffeine."billing-entitlements".*}):
 * the account's entitlement rows, read from PostgreSQL once, and the JSON body with its strong ETag, serialized once.
 *
 * <p>Exact, not "eventually": an account's entry is dropped
 * <ul>
 * <li>in this process, once a transaction that wrote the account's entitlement rows has ended
 * ({@link BillingTransactions.EntitlementsChanged}: webhooks, cancel, expiry sweep, reconciliation), before the request
 * that made the change answers;</li>
 * <li>for changes made by other replicas, when their {@code entitlement-changed} event arrives on {@code billing.events}
 * (the platform's {@link EntitlementConsumer}, reading from the end of the log). Until that consumer is positioned the
 * view does not cache at all.</li>
 * </ul>
 * A load that was in flight when its entry was dropped is not kept (Caffeine keeps a completed load only while its
 * entry is still mapped), so a read that started before a commit never re-installs the older rows.
 *
 * <p>Time-based changes need no event: {@code active} and {@code state} are computed at read time from the cached rows
 * (an entitlement past its {@code validUntil} is {@code active: false, state: expired} at once, before the expiry sweep
 * writes it); the serialized body is reused only until the next {@code validUntil} of its rows.
 */
@ApplicationScoped
public class EntitlementView {

    public static final String CACHE = "billing-entitlements";
    private static final Logger LOG = Logger.getLogger(EntitlementView.class);

    /** One entitlement row as cached (immutable: never a managed entity). */
    record Row(String entitlement, boolean active, String state, String reason, String productId, Instant validUntil,
               String subscriptionId) {
        static Row of(EntitlementEntity e) {
            return new Row(e.entitlement, e.active, e.state, e.reason, e.productId, e.validUntil,
                    e.subscriptionId == null ? null : e.subscriptionId.toString());
        }

        /** The row as the API shows it at {@code now}: held past its end is expired, whatever the sweep has written yet. */
        Views.Entitlement at(Instant now) {
            boolean inForce = active && (validUntil == null || validUntil.isAfter(now));
            if (active && !inForce) {
                return new Views.Entitlement(entitlement, false, "expired",
                        "grace".equals(state) ? "payment-not-recovered" : "period-ended", productId, validUntil, subscriptionId);
            }
            return new Views.Entitlement(entitlement, inForce, state, reason, productId, validUntil, subscriptionId);
        }
    }

    /** The serialized answer and its ETag, the same for every instant in [{@code from}, {@code until}). */
    public record Rendered(byte[] body, EntityTag tag, Instant from, Instant until) {
        boolean validAt(Instant now) {
            return !now.isBefore(from) && now.isBefore(until);
        }

        /** {@code If-None-Match} (weak comparison, as RFC 9110 says for it) matches this answer. */
        public boolean matches(String ifNoneMatch) {
            return ifNoneMatch != null && (ifNoneMatch.contains("\"" + tag.getValue() + "\"") || ifNoneMatch.trim().equals("*"));
        }
    }

    /** One account's cached rows and the answer last rendered from them. */
    static final class Account {
        final List<Row> rows;
        private volatile Rendered rendered;

        Account(List<Row> rows) {
            this.rows = rows;
        }

        Rendered at(Instant now, ObjectMapper mapper) {
            Rendered r = rendered;
            if (r == null || !r.validAt(now)) {
                r = render(rows, now, mapper);
                rendered = r;
            }
            return r;
        }
    }

    private final CaffeineCache cache;
    private final BillingStore store;
    private final AccountWork accounts;
    private final BillingClock clock;
    private final ObjectMapper mapper;
    private final EntitlementConsumer consumer;

    public EntitlementView(@CacheName(CACHE) Cache cache, BillingStore store, AccountWork accounts, BillingClock clock,
                           ObjectMapper mapper, EntitlementConsumer consumer, Entitlements entitlements) {
        this.cache = cache.as(CaffeineCache.class);
        this.store = store;
        this.accounts = accounts;
        this.clock = clock;
        this.mapper = mapper;
        this.consumer = consumer;
        entitlements.onChange((account, change) -> invalidate(account));
    }

    /** The account's answer now: from memory, or loaded from PostgreSQL once (concurrent first reads share the load). */
    public Uni<Rendered> of(String accountId) {
        Instant now = clock.now();
        if (!consumer.ready()) {
            // another replica's change could be missed until the consumer is positioned: read through
            return load(accountId).map(a -> a.at(now, mapper));
        }
        CompletableFuture<Account> cached = cache.getIfPresent(accountId);
        if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
            return Uni.createFrom().item(cached.join().at(now, mapper));
        }
        return cache.<String, Account>getAsync(accountId, this::load).map(a -> a.at(now, mapper));
    }

    /** Drops the account's entry; the next read loads it again. */
    public void invalidate(String accountId) {
        if (accountId != null) {
            cache.invalidate(accountId).subscribe().with(ignored -> { }, e -> LOG.warnf("invalidating %s: %s", accountId, e));
        }
    }

    void committed(@Observes BillingTransactions.EntitlementsChanged changed) {
        changed.accountIds().forEach(this::invalidate);
    }

    private Uni<Account> load(String accountId) {
        return accounts.read(accountId, (account, now) -> store.entitlementsOf(account))
                .map(rows -> new Account(rows.stream().map(Row::of).toList()));
    }

    static Rendered render(List<Row> rows, Instant now, ObjectMapper mapper) {
        Instant from = Instant.MIN;
        Instant until = Instant.MAX;
        for (Row r : rows) {
            if (r.active() && r.validUntil() != null) {
                if (r.validUntil().isAfter(now)) {
                    until = r.validUntil().isBefore(until) ? r.validUntil() : until;
                } else {
                    from = r.validUntil().isAfter(from) ? r.validUntil() : from;
                }
            }
        }
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(new Views.Entitlements(rows.stream().map(r -> r.at(now)).toList()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new Rendered(json, new EntityTag(etag(json)), from, until);
    }

    static String etag(byte[] json) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
