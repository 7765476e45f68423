package io.continuum.recommendation.persistence;

import io.continuum.recommendation.domain.Feedback;
import io.continuum.recommendation.model.Signal;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code interaction} table: writes run inside the consumer's transaction (with its processed-event row), reads
 * serve requests and trainings.
 */
@ApplicationScoped
public class InteractionStore {

    private static final String COLUMNS = "item_id, max_ratio, replays, completed, abandoned, purchases, rating";

    /**
     * A position report. A replay is a restart (< 10 %) after a completion, counted once until the item is completed
     * again; abandonment is a stop in the first 10 % that later progress clears.
     */
    private static final String PLAYBACK = """
            insert into interaction as i (account_id, item_id, max_ratio, completed, abandoned, updated_at)
            values (:account, :item, :ratio, :ratio >= 0.9, :stopped and :ratio < 0.1, :at)
            on conflict (account_id, item_id) do update set
              replays = i.replays + case when i.completed and not i.restarted and excluded.max_ratio < 0.1 then 1 else 0 end,
              restarted = case when excluded.max_ratio >= 0.9 then false
                               when i.completed and excluded.max_ratio < 0.1 then true else i.restarted end,
              max_ratio = greatest(i.max_ratio, excluded.max_ratio),
              completed = i.completed or excluded.completed,
              abandoned = case when greatest(i.max_ratio, excluded.max_ratio) >= 0.1 then false
                               else i.abandoned or excluded.abandoned end,
              updated_at = greatest(i.updated_at, excluded.updated_at)""";

    private static final String PURCHASE = """
            insert into interaction as i (account_id, item_id, purchases, updated_at) values (:account, :item, 1, :at)
            on conflict (account_id, item_id) do update set purchases = i.purchases + 1,
              updated_at = greatest(i.updated_at, excluded.updated_at)""";

    private static final String RATING = """
            insert into interaction as i (account_id, item_id, rating, updated_at) values (:account, :item, :rating, :at)
            on conflict (account_id, item_id) do update set rating = excluded.rating,
              updated_at = greatest(i.updated_at, excluded.updated_at)""";

    private final Pool pool;

    public InteractionStore(Pool pool) {
        this.pool = pool;
    }

    /** Inside a transaction. */
    public Uni<Integer> playback(String account, String item, double ratio, boolean stopped, Instant at) {
        return Panache.getSession().chain(s -> s.createNativeQuery(PLAYBACK)
                .setParameter("account", account).setParameter("item", item)
                .setParameter("ratio", (float) ratio).setParameter("stopped", stopped)
                .setParameter("at", utc(at)).executeUpdate());
    }

    /** Inside a transaction. */
    public Uni<Integer> purchase(String account, String item, Instant at) {
        return Panache.getSession().chain(s -> s.createNativeQuery(PURCHASE)
                .setParameter("account", account).setParameter("item", item).setParameter("at", utc(at)).executeUpdate());
    }

    /** Inside a transaction. */
    public Uni<Integer> rating(String account, String item, int stars, Instant at) {
        return Panache.getSession().chain(s -> s.createNativeQuery(RATING)
                .setParameter("account", account).setParameter("item", item).setParameter("rating", (short) stars)
                .setParameter("at", utc(at)).executeUpdate());
    }

    public Uni<List<Feedback>> forAccount(String account) {
        return pool.preparedQuery("select " + COLUMNS + " from interaction where account_id = $1")
                .execute(Tuple.of(account))
                .map(rows -> {
                    List<Feedback> out = new ArrayList<>(rows.size());
                    rows.forEach(r -> out.add(feedback(r)));
                    return out;
                });
    }

    /** Every signal, for a full training. */
    public Uni<List<Signal>> allSignals() {
        return pool.query("select account_id, " + COLUMNS + " from interaction").execute()
                .map(rows -> {
                    List<Signal> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        Feedback f = new Feedback(r.getString(1), r.getFloat(2), r.getInteger(3), r.getBoolean(4),
                                r.getBoolean(5), r.getInteger(6), r.getInteger(7));
                        out.add(new Signal(r.getString(0), f.itemId(), f.strength()));
                    }
                    return out;
                });
    }

    private static Feedback feedback(Row r) {
        return new Feedback(r.getString(0), r.getFloat(1), r.getInteger(2), r.getBoolean(3), r.getBoolean(4),
                r.getInteger(5), r.getInteger(6));
    }

    static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
