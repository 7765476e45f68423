package io.continuum.billing.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** One entitlement of one account, derived from its subscriptions; changed only together with an event. */
@Entity
@Table(name = "entitlement")
@IdClass(EntitlementEntity.Key.class)
public class EntitlementEntity extends PanacheEntityBase {
    @Id
    @Column(name = "account_id")
    public String accountId;
    @Id
    public String entitlement;
    public boolean active;
    public String state;
    public String reason;
    @Column(name = "product_id")
    public String productId;
    @Column(name = "subscription_id")
    public UUID subscriptionId;
    @Column(name = "valid_from")
    public Instant validFrom;
    @Column(name = "valid_until")
    public Instant validUntil;
    @Column(name = "changed_at")
    public Instant changedAt;

    public static class Key implements Serializable {
        public String accountId;
        public String entitlement;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(accountId, k.accountId) && Objects.equals(entitlement, k.entitlement);
        }

        @Override
        public int hashCode() {
            return Objects.hash(accountId, entitlement);
        }
    }
}
