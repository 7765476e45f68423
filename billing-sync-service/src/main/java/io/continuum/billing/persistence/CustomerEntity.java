package io.continuum.billing.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Provider customer id ↔ account. */
@Entity
@Table(name = "customer")
public class CustomerEntity extends PanacheEntityBase {
    /** {@code <store>:<provider customer id>}. */
    @Id
    public String id;
    public String store;
    @Column(name = "provider_customer_id")
    public String providerCustomerId;
    @Column(name = "account_id")
    public String accountId;

    public static String key(String store, String providerCustomerId) {
        return store + ":" + providerCustomerId;
    }
}
