package io.continuum.session.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.platform.problem.ProblemException;
import io.continuum.session.domain.StateView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The read side, straight on the reactive PostgreSQL pool (no ORM session: these are the hot paths, e.g. the
 * resume read). Multi-statement reads run in one REPEATABLE READ, READ ONLY transaction so the revision they
 * answer matches the data.
 */
@ApplicationScoped
public class StateReads {

    static final String AT = "to_char(%s at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
    private static final String PLAYBACK_COLUMNS = "content_id, position_ms, duration_ms, state, finished, device_id, revision, "
            + AT.formatted("updated_at");

    private final Pool pool;
    private final ObjectMapper mapper;

    public StateReads(Pool pool, ObjectMapper mapper) {
        this.pool = pool;
        this.mapper = mapper;
    }

    public Uni<StateView.Snapshot> snapshot(String account) {
        return consistently(c -> rows(c, "select revision from account_state where account_id = $1", account)
                .chain(rev -> rows(c, "select " + PLAYBACK_COLUMNS + " from playback where account_id = $1 order by content_id", account)
                        .chain(playback -> rows(c, "select currency, balance from wallet where account_id = $1 order by currency", account)
                                .chain(wallet -> rows(c, "select item_id, quantity from inventory where account_id = $1 order by item_id", account)
                                        .chain(inventory -> rows(c, "select achievement_id, " + AT.formatted("unlocked_at")
                                                + " from achievement where account_id = $1 order by achievement_id", account)
                                                .chain(achievements -> rows(c, "select cast(value as text) from world_position where account_id = $1", account)
                                                        .chain(world -> rows(c, "select doc, version, cast(body as text) from document where account_id = $1", account)
                                                                .chain(docs -> rows(c, "select channel, seq from read_marker where account_id = $1 order by channel", account)
                                                                        .map(markers -> snapshot(rev, playback, wallet, inventory, achievements, world, docs, markers))))))))));
    }

    private StateView.Snapshot snapshot(RowSet<Row> rev, RowSet<Row> playback, RowSet<Row> wallet, RowSet<Row> inventory,
                                        RowSet<Row> achievements, RowSet<Row> world, RowSet<Row> docs, RowSet<Row> markers) {
        Map<String, StateView.Playback> p = new LinkedHashMap<>();
        playback.forEach(r -> p.put(r.getString(0), playback(r)));
        Map<String, StateView.Achievement> ach = new LinkedHashMap<>();
        achievements.forEach(r -> ach.put(r.getString(0), new StateView.Achievement(r.getString(0), r.getString(1))));
        StateView.Document profile = new StateView.Document(0, null);
        StateView.Document preferences = new StateView.Document(0, null);
        for (Row r : docs) {
            StateView.Document d = new StateView.Document(r.getLong(1), json(r.getString(2)));
            if ("profile".equals(r.getString(0))) {
                profile = d;
            } else {
                preferences = d;
            }
        }
        return new StateView.Snapshot(
                first(rev, r -> r.getLong(0), 0L), p, longs(wallet), longs(inventory), ach,
                first(world, r -> json(r.getString(0)), null), profile, preferences, longs(markers));
    }

    /** The changes after {@code since}, or 410 when the history no longer reaches back there. */
    public Uni<StateView.ChangesPage> changes(String account, long since, int limit) {
        return consistently(c -> rows(c, "select revision, history_floor from account_state where account_id = $1", account)
                .chain(head -> {
                    long revision = first(head, r -> r.getLong(0), 0L);
                    long floor = first(head, r -> r.getLong(1), 0L);
                    if (since < floor || since > revision) {
                        throw resync(since, floor, revision);
                    }
                    return c.preparedQuery("select revision, kind, item_key, op_id, device_id, " + AT.formatted("at") + ", cast(value as text)"
                                    + " from op_log where account_id = $1 and revision is not null and revision > $2 order by revision limit $3")
                            .execute(Tuple.of(account, since, limit + 1))
                            .map(rows -> {
                                List<StateView.Change> changes = new ArrayList<>();
                                for (Row r : rows) {
                                    if (changes.size() < limit) {
                                        changes.add(new StateView.Change(r.getLong(0), r.getString(1), r.getString(2), r.getString(3),
                                                r.getString(4), r.getString(5), json(r.getString(6))));
                                    }
                                }
                                boolean more = rows.size() > limit;
                                long next = changes.isEmpty() ? since : changes.get(changes.size() - 1).revision();
                                return new StateView.ChangesPage(since, revision, changes, more, next);
                            });
                }));
    }

    private static ProblemException resync(long since, long floor, long revision) {
        String detail = since > revision
                ? "revision " + since + " is ahead of the account (at " + revision + "): reload the snapshot"
                : "changes up to revision " + floor + " are no longer kept: reload the snapshot (GET /api/state/snapshot)";
        return new ProblemException(410, "resync-required", "Reload the snapshot", detail,
                List.of(new io.continuum.platform.problem.Problem.FieldError("since", detail)))
                .with("snapshot", "/api/state/snapshot").with("historyFrom", floor).with("revision", revision);
    }

    /** The resume point of one content item; 404 when the account never played it. */
    public Uni<StateView.Playback> playback(String account, String contentId) {
        return pool.preparedQuery("select " + PLAYBACK_COLUMNS + " from playback where account_id = $1 and content_id = $2")
                .execute(Tuple.of(account, contentId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProblemException.notFound("playback position of " + contentId);
                    }
                    return playback(rows.iterator().next());
                });
    }

    /** Unfinished items, most recent action first. */
    public Uni<StateView.ContinueWatching> continueWatching(String account, int limit) {
        return consistently(c -> rows(c, "select revision from account_state where account_id = $1", account)
                .chain(rev -> c.preparedQuery("select " + PLAYBACK_COLUMNS + " from playback where account_id = $1 and not finished"
                                + " order by revision desc limit $2").execute(Tuple.of(account, limit))
                        .map(rows -> {
                            List<StateView.Playback> items = new ArrayList<>();
                            rows.forEach(r -> items.add(playback(r)));
                            return new StateView.ContinueWatching(first(rev, r -> r.getLong(0), 0L), items);
                        })));
    }

    public Uni<StateView.Document> document(String account, String doc) {
        return pool.preparedQuery("select version, cast(body as text) from document where account_id = $1 and doc = $2")
                .execute(Tuple.of(account, doc))
                .map(rows -> first(rows, r -> new StateView.Document(r.getLong(0), json(r.getString(1))), new StateView.Document(0, null)));
    }

    public Uni<List<StateView.LedgerEntry>> ledger(String account, int limit) {
        return pool.preparedQuery("select revision, op_id, device_id, entry, item_key, delta, after_value, reason, " + AT.formatted("at")
                        + " from game_ledger where account_id = $1 order by id desc limit $2")
                .execute(Tuple.of(account, limit))
                .map(rows -> {
                    List<StateView.LedgerEntry> list = new ArrayList<>();
                    rows.forEach(r -> list.add(new StateView.LedgerEntry(r.getLong(0), r.getString(1), r.getString(2),
                            r.getString(3), r.getString(4), r.getLong(5), r.getLong(6), r.getString(7), r.getString(8))));
                    return list;
                });
    }

    private <T> Uni<T> consistently(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(c -> c.query("set transaction isolation level repeatable read, read only").execute()
                .chain(() -> work.apply(c)));
    }

    private static Uni<RowSet<Row>> rows(SqlConnection c, String sql, String account) {
        return c.preparedQuery(sql).execute(Tuple.of(account));
    }

    private static StateView.Playback playback(Row r) {
        return new StateView.Playback(r.getString(0), r.getLong(1), r.getLong(2), r.getString(3), r.getBoolean(4),
                r.getString(5), r.getLong(6), r.getString(7));
    }

    private static Map<String, Long> longs(RowSet<Row> rows) {
        Map<String, Long> map = new LinkedHashMap<>();
        rows.forEach(r -> map.put(r.getString(0), r.getLong(1)));
        return map;
    }

    private static <T> T first(RowSet<Row> rows, Function<Row, T> f, T fallback) {
        var it = rows.iterator();
        return it.hasNext() ? f.apply(it.next()) : fallback;
    }

    private JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }
}
