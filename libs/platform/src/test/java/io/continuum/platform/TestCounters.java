package io.continuum.platform;

import io.continuum.events.EventTypes;
import io.continuum.events.state.StateChanged;
import io.continuum.platform.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** A tiny service used by the platform tests: a counter per account whose every change emits an event. */
@ApplicationScoped
public class TestCounters {

    private final Outbox outbox;

    public TestCounters(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Adds {@code delta} and appends an event, in one transaction; fails after the writes when asked to. */
    public Uni<Long> add(String account, long delta, boolean failAfterWrite) {
        return Panache.withTransaction(() -> addInTransaction(account, delta)
                .call(value -> outbox.append(EventTypes.STATE_CHANGED, account, "device-1", value,
                        sample(account, value)))
                .invoke(value -> {
                    if (failAfterWrite) {
                        throw new IllegalStateException("fault injected after the writes");
                    }
                }));
    }

    /** Inside a transaction: the new value. */
    public Uni<Long> addInTransaction(String account, long delta) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into test_counter (account_id, value) values (:a, :d)"
                                + " on conflict (account_id) do update set value = test_counter.value + :d returning value", Long.class)
                .setParameter("a", account).setParameter("d", delta)
                .getSingleResult());
    }

    public Uni<Long> value(String account) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "select coalesce((select value from test_counter where account_id = :a), 0)", Long.class)
                .setParameter("a", account).getSingleResult()));
    }

    public Uni<Long> pendingOutboxRows() {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                "select count(*) from outbox", Long.class).getSingleResult()));
    }

    static StateChanged sample(String account, long value) {
        return TestEvents.stateChanged("counter", "op-" + account + "-" + value, value);
    }
}
