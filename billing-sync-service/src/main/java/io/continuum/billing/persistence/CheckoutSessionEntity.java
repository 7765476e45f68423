package io.continuum.billing.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A checkout session created at the provider for one account and plan. */
@Entity
@Table(name = "checkout_session")
public class CheckoutSessionEntity extends PanacheEntityBase {
    @Id
    public String id;
    public String store;
    @Column(name = "account_id")
    public String accountId;
    @Column(name = "plan_id")
    public String planId;
    public String status;
    public String url;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "expires_at")
    public Instant expiresAt;
}
