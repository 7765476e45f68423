package io.continuum.session.persistence;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The SQL of the write path. Every method runs inside the caller's transaction ({@code session}) and filters on
 * the account id. Conditional updates ({@code where balance >= :amount}) make each check and change one
 * statement; the account row lock taken by {@link #lockAccount} serializes every writer of one account.
 */
@ApplicationScoped
public class StateWrites {

    /** Locks the account's row (creating it) and answers its current revision. First statement of every write. */
    public Uni<Long> lockAccount(Mutiny.Session s, String account) {
        return s.createNativeQuery("insert into account_state (account_id) values (:a)"
                        + " on conflict (account_id) do update set account_id = excluded.account_id returning revision", Long.class)
                .setParameter("a", account).getSingleResult();
    }

    public Uni<Integer> setRevision(Mutiny.Session s, String account, long revision) {
        return s.createNativeQuery("update account_state set revision = :r, updated_at = now() where account_id = :a")
                .setParameter("r", revision).setParameter("a", account).executeUpdate();
    }

    /** A stored answer and the fingerprint of the op it answered (null for rows older than fingerprints). */
    public record Answer(String resultJson, String fingerprint) {
    }

    /** The stored answers of the op ids already seen, by op id. */
    public Uni<Map<String, Answer>> existingResults(Mutiny.Session s, String account, Collection<String> opIds) {
        if (opIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return s.createNativeQuery("select op_id, cast(result as text), fingerprint from op_log where account_id = :a and op_id in (:ids)", Object[].class)
                .setParameter("a", account).setParameter("ids", List.copyOf(opIds)).getResultList()
                .map(rows -> {
                    Map<String, Answer> map = new HashMap<>();
                    rows.forEach(r -> map.put((String) r[0], new Answer((String) r[1], r[2] == null ? null : r[2].toString())));
                    return map;
                });
    }

    public Uni<Integer> logApplied(Mutiny.Session s, String account, String opId, String fingerprint, long revision, String kind,
                                   String key, String device, String valueJson, String resultJson) {
        return s.createNativeQuery("insert into op_log (account_id, op_id, fingerprint, revision, kind, item_key, device_id, value, result)"
                        + " values (:a, :o, :fp, :r, :k, :key, :d, cast(cast(:v as text) as jsonb), cast(cast(:res as text) as jsonb))")
                .setParameter("fp", fingerprint)
                .setParameter("a", account).setParameter("o", opId).setParameter("r", revision).setParameter("k", kind)
                .setParameter("key", key).setParameter("d", device).setParameter("v", valueJson).setParameter("res", resultJson)
                .executeUpdate();
    }

    public Uni<Integer> logRejected(Mutiny.Session s, String account, String opId, String fingerprint, String kind, String device,
                                    String resultJson) {
        return s.createNativeQuery("insert into op_log (account_id, op_id, fingerprint, kind, device_id, result)"
                        + " values (:a, :o, :fp, :k, :d, cast(cast(:res as text) as jsonb))")
                .setParameter("fp", fingerprint)
                .setParameter("a", account).setParameter("o", opId).setParameter("k", kind).setParameter("d", device)
                .setParameter("res", resultJson).executeUpdate();
    }

    /**
     * Stores a resume point and its op log row in one statement (the hot path: one round trip per playback op).
     */
    /**
     * Writes a resume point; {@code updated_at} is the time of the user's action ({@code actedAt}, already clamped to
     * the server's clock), which is what a later stale replay is compared with.
     */
    public Uni<Integer> upsertPlayback(Mutiny.Session s, String account, String contentId, long position, long duration,
                                       String state, boolean finished, String device, long revision, OffsetDateTime actedAt,
                                       String opId, String fingerprint, String valueJson, String resultJson) {
        return s.createNativeQuery("with p as (insert into playback (account_id, content_id, position_ms, duration_ms, state, finished, device_id, revision, updated_at)"
                        + " values (:a, :c, :p, :du, :st, :f, :d, :r, :at)"
                        + " on conflict (account_id, content_id) do update set position_ms = excluded.position_ms,"
                        + " duration_ms = excluded.duration_ms, state = excluded.state, finished = excluded.finished,"
                        + " device_id = excluded.device_id, revision = excluded.revision, updated_at = excluded.updated_at)"
                        + " insert into op_log (account_id, op_id, fingerprint, revision, kind, item_key, device_id, value, result)"
                        + " values (:a, :o, :fp, :r, 'playback', :c, :d, cast(cast(:v as text) as jsonb), cast(cast(:res as text) as jsonb))")
                .setParameter("fp", fingerprint)
                .setParameter("a", account).setParameter("c", contentId).setParameter("p", position).setParameter("du", duration)
                .setParameter("st", state).setParameter("f", finished).setParameter("d", device).setParameter("r", revision)
                .setParameter("o", opId).setParameter("v", valueJson).setParameter("res", resultJson)
                .setParameter("at", actedAt)
                .executeUpdate();
    }

    /**
     * The resume point as the last accepted action left it, for the "offline never rewinds" rule: {revision,
     * device_id, updated_at (the action time), the value as JSON text}; null when never played.
     */
    public Uni<Object[]> lastPlayback(Mutiny.Session s, String account, String contentId) {
        return s.createNativeQuery("select revision, device_id, updated_at, cast(json_build_object('contentId', content_id,"
                        + " 'positionMs', position_ms, 'durationMs', duration_ms, 'state', state, 'finished', finished,"
                        + " 'deviceId', device_id, 'revision', revision) as text)"
                        + " from playback where account_id = :a and content_id = :c", Object[].class)
                .setParameter("a", account).setParameter("c", contentId).getSingleResultOrNull();
    }

    /** The world position like {@link #lastPlayback}; its action time is the value's {@code actedAt} (null before it existed). */
    public Uni<Object[]> lastWorldMove(Mutiny.Session s, String account) {
        return s.createNativeQuery("select revision, device_id, cast(value->>'actedAt' as timestamptz), cast(value as text)"
                        + " from world_position where account_id = :a", Object[].class)
                .setParameter("a", account).getSingleResultOrNull();
    }

    /** Adds {@code delta} (may be negative) to a balance; null when that would make it negative (nothing changed). */
    public Uni<Long> addToWallet(Mutiny.Session s, String account, String currency, long delta, long revision) {
        if (delta >= 0) {
            return s.createNativeQuery("insert into wallet (account_id, currency, balance, revision) values (:a, :c, :d, :r)"
                            + " on conflict (account_id, currency) do update set balance = wallet.balance + excluded.balance,"
                            + " revision = excluded.revision returning balance", Long.class)
                    .setParameter("a", account).setParameter("c", currency).setParameter("d", delta).setParameter("r", revision)
                    .getSingleResult();
        }
        return s.createNativeQuery("update wallet set balance = balance + :d, revision = :r"
                        + " where account_id = :a and currency = :c and balance + :d >= 0 returning balance", Long.class)
                .setParameter("a", account).setParameter("c", currency).setParameter("d", delta).setParameter("r", revision)
                .getSingleResultOrNull();
    }

    public Uni<Long> balance(Mutiny.Session s, String account, String currency) {
        return s.createNativeQuery("select coalesce((select balance from wallet where account_id = :a and currency = :c), 0)", Long.class)
                .setParameter("a", account).setParameter("c", currency).getSingleResult();
    }

    /** Adds {@code delta} (may be negative) to an item; null when that would go below zero (nothing changed). */
    public Uni<Long> addToInventory(Mutiny.Session s, String account, String item, long delta, long revision) {
        if (delta >= 0) {
            return s.createNativeQuery("insert into inventory (account_id, item_id, quantity, revision) values (:a, :i, :d, :r)"
                            + " on conflict (account_id, item_id) do update set quantity = inventory.quantity + excluded.quantity,"
                            + " revision = excluded.revision returning quantity", Long.class)
                    .setParameter("a", account).setParameter("i", item).setParameter("d", delta).setParameter("r", revision)
                    .getSingleResult();
        }
        return s.createNativeQuery("update inventory set quantity = quantity + :d, revision = :r"
                        + " where account_id = :a and item_id = :i and quantity + :d >= 0 returning quantity", Long.class)
                .setParameter("a", account).setParameter("i", item).setParameter("d", delta).setParameter("r", revision)
                .getSingleResultOrNull();
    }

    public Uni<Long> quantity(Mutiny.Session s, String account, String item) {
        return s.createNativeQuery("select coalesce((select quantity from inventory where account_id = :a and item_id = :i), 0)", Long.class)
                .setParameter("a", account).setParameter("i", item).getSingleResult();
    }

    /** True when unlocked now; false when it already was. */
    public Uni<Boolean> unlock(Mutiny.Session s, String account, String achievement, String device, long revision, String unlockedAt) {
        return s.createNativeQuery("insert into achievement (account_id, achievement_id, device_id, revision, unlocked_at)"
                        + " values (:a, :id, :d, :r, cast(cast(:t as text) as timestamptz)) on conflict do nothing")
                .setParameter("a", account).setParameter("id", achievement).setParameter("d", device).setParameter("r", revision)
                .setParameter("t", unlockedAt).executeUpdate()
                .map(n -> n == 1);
    }

    /** When the achievement was unlocked (ISO-8601, UTC) or null. */
    public Uni<String> unlockedAt(Mutiny.Session s, String account, String achievement) {
        return s.createNativeQuery("select to_char(unlocked_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
                        + " from achievement where account_id = :a and achievement_id = :id", String.class)
                .setParameter("a", account).setParameter("id", achievement).getSingleResultOrNull();
    }

    public Uni<Integer> upsertWorldPosition(Mutiny.Session s, String account, String valueJson, String device, long revision) {
        return s.createNativeQuery("insert into world_position (account_id, value, device_id, revision) values (:a, cast(cast(:v as text) as jsonb), :d, :r)"
                        + " on conflict (account_id) do update set value = excluded.value, device_id = excluded.device_id,"
                        + " revision = excluded.revision")
                .setParameter("a", account).setParameter("v", valueJson).setParameter("d", device).setParameter("r", revision)
                .executeUpdate();
    }

    /** {version, body as JSON text} of a document, or null when the account has none yet. */
    public Uni<Object[]> document(Mutiny.Session s, String account, String doc) {
        return s.createNativeQuery("select version, cast(body as text) from document where account_id = :a and doc = :doc", Object[].class)
                .setParameter("a", account).setParameter("doc", doc).getSingleResultOrNull();
    }

    public Uni<Integer> putDocument(Mutiny.Session s, String account, String doc, long version, String bodyJson, String device, long revision) {
        return s.createNativeQuery("insert into document (account_id, doc, version, body, device_id, revision)"
                        + " values (:a, :doc, :v, cast(cast(:b as text) as jsonb), :d, :r)"
                        + " on conflict (account_id, doc) do update set version = excluded.version, body = excluded.body,"
                        + " device_id = excluded.device_id, revision = excluded.revision")
                .setParameter("a", account).setParameter("doc", doc).setParameter("v", version).setParameter("b", bodyJson)
                .setParameter("d", device).setParameter("r", revision).executeUpdate();
    }

    /** Moves the marker forward; null when {@code seq} is not above the current one (nothing changed). */
    public Uni<Long> advanceReadMarker(Mutiny.Session s, String account, String channel, long seq, long revision) {
        return s.createNativeQuery("insert into read_marker (account_id, channel, seq, revision) values (:a, :c, :s, :r)"
                        + " on conflict (account_id, channel) do update set seq = excluded.seq, revision = excluded.revision"
                        + " where read_marker.seq < excluded.seq returning seq", Long.class)
                .setParameter("a", account).setParameter("c", channel).setParameter("s", seq).setParameter("r", revision)
                .getSingleResultOrNull();
    }

    public Uni<Long> readMarker(Mutiny.Session s, String account, String channel) {
        return s.createNativeQuery("select coalesce((select seq from read_marker where account_id = :a and channel = :c), 0)", Long.class)
                .setParameter("a", account).setParameter("c", channel).getSingleResult();
    }

    public Uni<Integer> ledger(Mutiny.Session s, String account, long revision, String opId, String device, String entry,
                               String key, long delta, long after, String reason) {
        return s.createNativeQuery("insert into game_ledger (account_id, revision, op_id, device_id, entry, item_key, delta, after_value, reason)"
                        + " values (:a, :r, :o, :d, :e, :k, :delta, :after, nullif(:reason, ''))")
                .setParameter("a", account).setParameter("r", revision).setParameter("o", opId).setParameter("d", device)
                .setParameter("e", entry).setParameter("k", key).setParameter("delta", delta).setParameter("after", after)
                .setParameter("reason", reason == null ? "" : reason).executeUpdate();
    }
}
