package io.continuum.billing.domain;

import io.continuum.billing.persistence.SubscriptionEntity;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Which entitlements an account holds, derived from its subscriptions at one instant. Pure: no I/O, so every rule of
 * the state machine is tested without a database.
 */
public final class EntitlementRules {

    /** One entitlement as the subscriptions say it should be now. */
    public record Derived(String entitlement, boolean active, String state, String reason, String productId,
                          UUID subscriptionId, Instant validFrom, Instant validUntil, Instant subscriptionUpdated) {

        boolean sameAs(boolean active, String state, String reason, String productId, UUID subscriptionId, Instant validUntil) {
            return this.active == active && Objects.equals(this.state, state) && Objects.equals(this.reason, reason)
                    && Objects.equals(this.productId, productId) && Objects.equals(this.subscriptionId, subscriptionId)
                    && Objects.equals(this.validUntil, validUntil);
        }
    }

    private EntitlementRules() {
    }

    /** The entitlements {@code subs} grant (or last granted) at {@code now}; incomplete subscriptions grant nothing. */
    public static Map<String, Derived> derive(List<SubscriptionEntity> subs, Catalog catalog, Instant now) {
        Map<String, Derived> out = new HashMap<>();
        for (SubscriptionEntity s : subs) {
            Derived template = of(s, now);
            if (template == null) {
                continue;
            }
            for (String e : catalog.entitlementsOfPlan(s.planId)) {
                Derived d = new Derived(e, template.active, template.state, template.reason, s.productId, s.id,
                        template.validFrom, template.validUntil, s.updatedAt);
                out.merge(e, d, EntitlementRules::better);
            }
        }
        return out;
    }

    /** What one subscription gives at {@code now} (entitlement name left empty), or null for none. */
    static Derived of(SubscriptionEntity s, Instant now) {
        Instant from = s.currentPeriodStart;
        Instant end = s.currentPeriodEnd;
        return switch (s.status) {
            case Status.TRIALING -> held("trialing", "trial", from, end, now, s);
            case Status.ACTIVE -> held("active", "subscription-active", from, end, now, s);
            case Status.PAST_DUE -> s.graceUntil == null || now.isBefore(s.graceUntil)
                    ? held("grace", "payment-failed", from, s.graceUntil, now, s)
                    : lost("expired", "payment-not-recovered", s);
            case Status.CANCELED -> end != null && now.isBefore(end)
                    ? held("canceled", "canceled-at-period-end", from, end, now, s)
                    : lost("expired", "period-ended", s);
            case Status.EXPIRED -> lost("expired", s.statusReason == null ? "expired" : s.statusReason, s);
            case Status.REVOKED -> lost("revoked", s.statusReason == null ? "revoked" : s.statusReason, s);
            default -> null;
        };
    }

    private static Derived held(String state, String reason, Instant from, Instant until, Instant now, SubscriptionEntity s) {
        if (until != null && !now.isBefore(until) && !state.equals("grace")) {
            // the period ended and no renewal arrived yet: reconciliation or the next webhook settles it
            return lost("expired", "period-ended", s);
        }
        return new Derived("", true, state, reason, s.productId, s.id, from, until, s.updatedAt);
    }

    private static Derived lost(String state, String reason, SubscriptionEntity s) {
        return new Derived("", false, state, reason, s.productId, s.id, null, null, s.updatedAt);
    }

    /** Held beats lost; among held the later end (open-ended best); among lost the most recently updated. */
    static Derived better(Derived a, Derived b) {
        if (a.active != b.active) {
            return a.active ? a : b;
        }
        Comparator<Derived> order = a.active
                ? Comparator.comparing(Derived::validUntil, Comparator.nullsLast(Comparator.naturalOrder()))
                : Comparator.comparing(Derived::subscriptionUpdated, Comparator.nullsFirst(Comparator.naturalOrder()));
        return order.compare(a, b) >= 0 ? a : b;
    }
}
