package io.continuum.session.persistence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The SQL of the write path. Every method runs inside the caller's transaction (on {@code c}, a connection of the
 * reactive pool) and filters on the account id. Conditional updates ({@code where balance + $3 >= 0}) make each
 * check and change one statement; the account row lock taken by {@link #lockAccount} serializes every writer of one
 * account. Plain prepared statements, no ORM: this is the hottest path of the suite, and Hibernate's native-query
 * layer (parse, plan cache, binding) cost more CPU per op than the rest of the request together (JFR, docs/benchmarks.md).
 */
@ApplicationScoped
public class StateWrites {

    /** Locks the account's row (creating it) and answers its current revision. First statement of every write. */
    public Uni<Long> lockAccount(SqlConnection c, String account) {
        return one(c, "insert into account_state (account_id) values ($1)"
                + " on conflict (account_id) do update set account_id = excluded.account_id returning revision",
                r -> r.getLong(0), account);
    }

    public Uni<Integer> setRevision(SqlConnection c, String account, long revision) {
        return update(c, "update account_state set revision = $1, updated_at = now() where account_id = $2", revision, account);
    }

    /** A stored answer and the fingerprint of the op it answered (null for rows older than fingerprints). */
    public record Answer(String resultJson, String fingerprint) {
    }

    /** The stored answers of the op ids already seen, by op id. */
    public Uni<Map<String, Answer>> existingResults(SqlConnection c, String account, Collection<String> opIds) {
        if (opIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        // one op (the common batch) by equality: with "= any($2)" PostgreSQL planned the statement again on every
        // execution (0.19 ms of its CPU per op in the statement log, more than the op's upsert), since a generic plan
        // for an array of unknown length never looked cheaper than the custom one
        String select = "select op_id, cast(result as text), fingerprint from op_log where account_id = $1 and ";
        var query = opIds.size() == 1
                ? c.preparedQuery(select + "op_id = $2").execute(Tuple.of(account, opIds.iterator().next()))
                : c.preparedQuery(select + "op_id = any($2)").execute(Tuple.of(account, opIds.toArray(new String[0])));
        return query
                .map(rows -> {
                    Map<String, Answer> map = new HashMap<>();
                    rows.forEach(r -> map.put(r.getString(0), new Answer(r.getString(1), r.getString(2))));
                    return map;
                });
    }

    public Uni<Integer> logApplied(SqlConnection c, String account, String opId, String fingerprint, long revision, String kind,
                                   String key, String device, String valueJson, String resultJson) {
        return update(c, "insert into op_log (account_id, op_id, fingerprint, revision, kind, item_key, device_id, value, result)"
                + " values ($1, $2, $3, $4, $5, $6, $7, cast($8::text as jsonb), cast($9::text as jsonb))",
                account, opId, fingerprint, revision, kind, key, device, valueJson, resultJson);
    }

    public Uni<Integer> logRejected(SqlConnection c, String account, String opId, String fingerprint, String kind, String device,
                                    String resultJson) {
        return update(c, "insert into op_log (account_id, op_id, fingerprint, kind, device_id, result)"
                + " values ($1, $2, $3, $4, $5, cast($6::text as jsonb))", account, opId, fingerprint, kind, device, resultJson);
    }

    /**
     * Writes a resume point and its op log row in one statement (the hot path: one round trip per playback op), unless
     * the op loses under "offline never rewinds" (the SQL twin of {@code SyncService.loses}): the key changed after
     * {@code seenRevision}, by another device, whose user acted later. {@code updated_at} is the time of the user's
     * action ({@code actedAt}, already clamped to the server's clock), which is what a later stale op is compared
     * with. Without {@code seenRevision} the last accepted op wins. Answers whether it wrote (false: superseded,
     * nothing changed).
     */
    public Uni<Boolean> upsertPlaybackUnlessSuperseded(SqlConnection c, String account, String contentId, long position, long duration,
                                                       String state, boolean finished, String device, long revision,
                                                       OffsetDateTime actedAt, Long seenRevision, String opId, String fingerprint,
                                                       String valueJson, String resultJson) {
        return update(c, "with p as (insert into playback (account_id, content_id, position_ms, duration_ms, state, finished, device_id, revision, updated_at)"
                + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                + " on conflict (account_id, content_id) do update set position_ms = excluded.position_ms,"
                + " duration_ms = excluded.duration_ms, state = excluded.state, finished = excluded.finished,"
                + " device_id = excluded.device_id, revision = excluded.revision, updated_at = excluded.updated_at"
                + " where $14::bigint is null or not (playback.revision > $14::bigint and playback.device_id <> excluded.device_id"
                + " and playback.updated_at > excluded.updated_at)"
                + " returning 1)"
                + " insert into op_log (account_id, op_id, fingerprint, revision, kind, item_key, device_id, value, result)"
                + " select $1, $10::text, $11::text, $8, 'playback', $2, $7, cast($12::text as jsonb), cast($13::text as jsonb)"
                + " where exists (select 1 from p)",
                account, contentId, position, duration, state, finished, device, revision, actedAt, opId, fingerprint,
                valueJson, resultJson, seenRevision)
                .map(rows -> rows == 1);
    }

    /**
     * The resume point as the last accepted action left it, for the "offline never rewinds" rule: {revision,
     * device_id, updated_at (the action time), the value as JSON text}; null when never played.
     */
    public Uni<Object[]> lastPlayback(SqlConnection c, String account, String contentId) {
        return one(c, "select revision, device_id, updated_at, cast(json_build_object('contentId', content_id,"
                + " 'positionMs', position_ms, 'durationMs', duration_ms, 'state', state, 'finished', finished,"
                + " 'deviceId', device_id, 'revision', revision) as text)"
                + " from playback where account_id = $1 and content_id = $2", StateWrites::columns, account, contentId);
    }

    /** The world position like {@link #lastPlayback}; its action time is the value's {@code actedAt} (null before it existed). */
    public Uni<Object[]> lastWorldMove(SqlConnection c, String account) {
        return one(c, "select revision, device_id, cast(value->>'actedAt' as timestamptz), cast(value as text)"
                + " from world_position where account_id = $1", StateWrites::columns, account);
    }

    /** Adds {@code delta} (may be negative) to a balance; null when that would make it negative (nothing changed). */
    public Uni<Long> addToWallet(SqlConnection c, String account, String currency, long delta, long revision) {
        if (delta >= 0) {
            return one(c, "insert into wallet (account_id, currency, balance, revision) values ($1, $2, $3, $4)"
                    + " on conflict (account_id, currency) do update set balance = wallet.balance + excluded.balance,"
                    + " revision = excluded.revision returning balance", r -> r.getLong(0), account, currency, delta, revision);
        }
        return one(c, "update wallet set balance = balance + $3, revision = $4"
                + " where account_id = $1 and currency = $2 and balance + $3 >= 0 returning balance",
                r -> r.getLong(0), account, currency, delta, revision);
    }

    public Uni<Long> balance(SqlConnection c, String account, String currency) {
        return one(c, "select coalesce((select balance from wallet where account_id = $1 and currency = $2), 0)",
                r -> r.getLong(0), account, currency);
    }

    /** Adds {@code delta} (may be negative) to an item; null when that would go below zero (nothing changed). */
    public Uni<Long> addToInventory(SqlConnection c, String account, String item, long delta, long revision) {
        if (delta >= 0) {
            return one(c, "insert into inventory (account_id, item_id, quantity, revision) values ($1, $2, $3, $4)"
                    + " on conflict (account_id, item_id) do update set quantity = inventory.quantity + excluded.quantity,"
                    + " revision = excluded.revision returning quantity", r -> r.getLong(0), account, item, delta, revision);
        }
        return one(c, "update inventory set quantity = quantity + $3, revision = $4"
                + " where account_id = $1 and item_id = $2 and quantity + $3 >= 0 returning quantity",
                r -> r.getLong(0), account, item, delta, revision);
    }

    public Uni<Long> quantity(SqlConnection c, String account, String item) {
        return one(c, "select coalesce((select quantity from inventory where account_id = $1 and item_id = $2), 0)",
                r -> r.getLong(0), account, item);
    }

    /** True when unlocked now; false when it already was. */
    public Uni<Boolean> unlock(SqlConnection c, String account, String achievement, String device, long revision, String unlockedAt) {
        return update(c, "insert into achievement (account_id, achievement_id, device_id, revision, unlocked_at)"
                + " values ($1, $2, $3, $4, cast($5::text as timestamptz)) on conflict do nothing",
                account, achievement, device, revision, unlockedAt)
                .map(n -> n == 1);
    }

    /** When the achievement was unlocked (ISO-8601, UTC) or null. */
    public Uni<String> unlockedAt(SqlConnection c, String account, String achievement) {
        return one(c, "select to_char(unlocked_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                + " from achievement where account_id = $1 and achievement_id = $2", r -> r.getString(0), account, achievement);
    }

    public Uni<Integer> upsertWorldPosition(SqlConnection c, String account, String valueJson, String device, long revision) {
        return update(c, "insert into world_position (account_id, value, device_id, revision) values ($1, cast($2::text as jsonb), $3, $4)"
                + " on conflict (account_id) do update set value = excluded.value, device_id = excluded.device_id,"
                + " revision = excluded.revision", account, valueJson, device, revision);
    }

    /** {version, body as JSON text} of a document, or null when the account has none yet. */
    public Uni<Object[]> document(SqlConnection c, String account, String doc) {
        return one(c, "select version, cast(body as text) from document where account_id = $1 and doc = $2",
                StateWrites::columns, account, doc);
    }

    public Uni<Integer> putDocument(SqlConnection c, String account, String doc, long version, String bodyJson, String device, long revision) {
        return update(c, "insert into document (account_id, doc, version, body, device_id, revision)"
                + " values ($1, $2, $3, cast($4::text as jsonb), $5, $6)"
                + " on conflict (account_id, doc) do update set version = excluded.version, body = excluded.body,"
                + " device_id = excluded.device_id, revision = excluded.revision", account, doc, version, bodyJson, device, revision);
    }

    /** Moves the marker forward; null when {@code seq} is not above the current one (nothing changed). */
    public Uni<Long> advanceReadMarker(SqlConnection c, String account, String channel, long seq, long revision) {
        return one(c, "insert into read_marker (account_id, channel, seq, revision) values ($1, $2, $3, $4)"
                + " on conflict (account_id, channel) do update set seq = excluded.seq, revision = excluded.revision"
                + " where read_marker.seq < excluded.seq returning seq", r -> r.getLong(0), account, channel, seq, revision);
    }

    public Uni<Long> readMarker(SqlConnection c, String account, String channel) {
        return one(c, "select coalesce((select seq from read_marker where account_id = $1 and channel = $2), 0)",
                r -> r.getLong(0), account, channel);
    }

    public Uni<Integer> ledger(SqlConnection c, String account, long revision, String opId, String device, String entry,
                               String key, long delta, long after, String reason) {
        return update(c, "insert into game_ledger (account_id, revision, op_id, device_id, entry, item_key, delta, after_value, reason)"
                + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9)", account, revision, opId, device, entry, key, delta, after, reason);
    }

    /** The first row of the answer mapped by {@code map}, or null when there is none. */
    private static <T> Uni<T> one(SqlConnection c, String sql, Function<Row, T> map, Object... args) {
        return c.preparedQuery(sql).execute(Tuple.from(args)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            return it.hasNext() ? map.apply(it.next()) : null;
        });
    }

    private static Uni<Integer> update(SqlConnection c, String sql, Object... args) {
        return c.preparedQuery(sql).execute(Tuple.from(args)).map(RowSet::rowCount);
    }

    private static Object[] columns(Row r) {
        Object[] values = new Object[r.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.getValue(i);
        }
        return values;
    }
}
