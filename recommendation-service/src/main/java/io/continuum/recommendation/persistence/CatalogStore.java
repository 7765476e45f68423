package io.continuum.recommendation.persistence;

import io.continuum.recommendation.domain.Catalog;
import io.continuum.recommendation.domain.CatalogItem;
import io.continuum.recommendation.domain.Kind;
import io.continuum.recommendation.domain.Maturity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code catalog_item} table. */
@ApplicationScoped
public class CatalogStore {

    private static final String UPSERT = """
            insert into catalog_item (item_id, title, kind, duration_minutes, genres, maturity, release_date, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, now())
            on conflict (item_id) do update set title = excluded.title, kind = excluded.kind,
              duration_minutes = excluded.duration_minutes, genres = excluded.genres, maturity = excluded.maturity,
              release_date = excluded.release_date, updated_at = now()""";

    private final Pool pool;

    public CatalogStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<Catalog> load() {
        return fingerprint().chain(fp -> pool.query(
                        "select item_id, title, kind, duration_minutes, genres, maturity, release_date from catalog_item")
                .execute()
                .map(rows -> {
                    Map<String, CatalogItem> items = new HashMap<>();
                    for (Row r : rows) {
                        CatalogItem item = new CatalogItem(r.getString(0), r.getString(1),
                                Kind.parse(r.getString(2)).orElseThrow(), r.getInteger(3),
                                Arrays.asList(r.getString(4).split(",")), Maturity.parse(r.getString(5)).orElseThrow(),
                                r.getLocalDate(6));
                        items.put(item.itemId(), item);
                    }
                    return new Catalog(items, fp);
                }));
    }

    /** Row count and latest update folded into one number: changes whenever the catalog does. */
    public Uni<Long> fingerprint() {
        return pool.query("select count(*), coalesce(max(updated_at), 'epoch'::timestamptz) from catalog_item").execute()
                .map(rows -> {
                    Row r = rows.iterator().next();
                    OffsetDateTime at = r.getOffsetDateTime(1);
                    return r.getLong(0) * 1_000_003L + at.toInstant().toEpochMilli();
                });
    }

    /** Inserts or replaces every item in one transaction (all or nothing). */
    public Uni<Integer> upsert(List<CatalogItem> items) {
        List<Tuple> batch = items.stream().map(i -> Tuple.tuple(List.of(i.itemId(), i.title(), i.kind().wire(),
                i.durationMinutes(), String.join(",", i.genres()), i.maturity().wire(), i.releaseDate()))).toList();
        if (batch.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.withTransaction(conn -> conn.preparedQuery(UPSERT).executeBatch(batch)).replaceWith(items.size());
    }
}
