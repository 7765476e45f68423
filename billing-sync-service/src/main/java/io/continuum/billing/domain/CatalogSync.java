package io.continuum.billing.domain;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Mirrors the declared catalog into the product, product_entitlement and plan tables at start-up (upserts, never deletes). */
@ApplicationScoped
public class CatalogSync {

    private final Catalog catalog;

    public CatalogSync(Catalog catalog) {
        this.catalog = catalog;
    }

    void onStart(@Observes StartupEvent ignored) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (Catalog.Product p : catalog.products().values()) {
                chain = chain.chain(() -> s.createNativeQuery("insert into product (id, name) values (:id, :n)"
                                + " on conflict (id) do update set name = excluded.name")
                        .setParameter("id", p.id()).setParameter("n", p.name()).executeUpdate());
                for (String e : p.entitlements()) {
                    chain = chain.chain(() -> s.createNativeQuery("insert into product_entitlement (product_id, entitlement)"
                                    + " values (:p, :e) on conflict do nothing")
                            .setParameter("p", p.id()).setParameter("e", e).executeUpdate());
                }
                for (Catalog.Plan plan : p.plans()) {
                    chain = chain.chain(() -> s.createNativeQuery("insert into plan (id, product_id, amount_cents, currency,"
                                    + " billing_interval, trial_days) values (:id, :p, :a, :c, :i, :t) on conflict (id) do update set"
                                    + " amount_cents = excluded.amount_cents, currency = excluded.currency,"
                                    + " billing_interval = excluded.billing_interval, trial_days = excluded.trial_days")
                            .setParameter("id", plan.id()).setParameter("p", p.id()).setParameter("a", plan.amountCents())
                            .setParameter("c", plan.currency()).setParameter("i", plan.interval())
                            .setParameter("t", plan.trialDays()).executeUpdate());
                }
            }
            return chain;
        })));
    }
}
