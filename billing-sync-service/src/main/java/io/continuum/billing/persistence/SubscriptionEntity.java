package io.continuum.billing.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A subscription at one store, as last applied from the provider (see docs/billing.md, "State machine"). */
@Entity
@Table(name = "subscription")
public class SubscriptionEntity extends PanacheEntityBase {
    @Id
    public UUID id;
    public String store;
    @Column(name = "provider_id")
    public String providerId;
    @Column(name = "account_id")
    public String accountId;
    @Column(name = "product_id")
    public String productId;
    @Column(name = "plan_id")
    public String planId;
    public String status;
    @Column(name = "status_reason")
    public String statusReason;
    @Column(name = "current_period_start")
    public Instant currentPeriodStart;
    @Column(name = "current_period_end")
    public Instant currentPeriodEnd;
    @Column(name = "cancel_at_period_end")
    public boolean cancelAtPeriodEnd;
    @Column(name = "grace_until")
    public Instant graceUntil;
    @Column(name = "provider_version")
    public long providerVersion;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
