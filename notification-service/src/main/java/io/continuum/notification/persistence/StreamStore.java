package io.continuum.notification.persistence;

import io.continuum.notification.domain.DeliveryClass;
import io.continuum.notification.domain.Frame;
import io.continuum.notification.domain.FrameDraft;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The account streams in PostgreSQL: appending frames with the next sequence number, reading history, device
 * cursors and retention. Plain SQL on the reactive pool: every append is one statement (one round trip).
 */
@ApplicationScoped
public class StreamStore {

    /**
     * Bumps the account's head (creating the stream with a fresh epoch on first use) and stores the frame under the
     * new head, in one statement. An event id already stored for the account bumps nothing and stores nothing; two
     * concurrent appends of one event id collide on the unique index, and the loser's statement rolls back whole.
     */
    private static final String APPEND = """
            with s as (
              insert into account_stream as a (account_id, epoch, head) values ($1, $2, 1)
              on conflict (account_id) do update set head = a.head + 1
                where not exists (select 1 from stream_frame f where f.account_id = $1 and f.event_id = $3)
              returning a.epoch, a.head),
            i as (
              insert into stream_frame (account_id, seq, event_id, type, delivery, coalesce_key, origin_device, revision, event_time, data)
              select $1, s.head, $3, $4, $5, $6, $7, $8, $9, $10 from s
              returning seq)
            select i.seq, s.epoch from i, s
            """;

    private static final String FRAME_COLUMNS =
            "f.account_id, f.seq, f.event_id, f.type, f.delivery, f.coalesce_key, f.origin_device, f.revision, f.event_time, f.data";

    private final Pool pool;

    public StreamStore(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** Appends a frame; empty when the account's stream already holds this event id. */
    public Uni<Optional<Frame>> append(FrameDraft draft) {
        return append(pool, draft);
    }

    /** Appends within the given client (e.g. a transaction's connection). */
    public Uni<Optional<Frame>> append(SqlClient client, FrameDraft draft) {
        Tuple params = Tuple.tuple()
                .addValue(draft.accountId())
                .addValue(UUID.randomUUID().toString())
                .addValue(draft.eventId())
                .addValue(draft.type())
                .addValue(draft.delivery().wire())
                .addValue(draft.coalesceKey())
                .addValue(draft.originDevice())
                .addValue(draft.revision())
                .addValue(OffsetDateTime.ofInstant(draft.time(), ZoneOffset.UTC))
                .addValue(draft.data());
        return client.preparedQuery(APPEND).execute(params)
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<Frame>empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(draft.at(row.getLong(0), row.getString(1)));
                })
                .onFailure(StreamStore::isUniqueViolation).recoverWithItem(Optional.empty());
    }

    private static boolean isUniqueViolation(Throwable t) {
        return t instanceof PgException pg && "23505".equals(pg.getSqlState());
    }

    /** Epoch, head and the lowest retained seq of an account's stream; empty when it has none yet. */
    public Uni<Optional<StreamInfo>> info(String accountId) {
        return pool.preparedQuery("""
                        select s.epoch, s.head, (select min(f.seq) from stream_frame f where f.account_id = s.account_id) as low
                        from account_stream s where s.account_id = $1""")
                .execute(Tuple.of(accountId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<StreamInfo>empty();
                    }
                    Row r = rows.iterator().next();
                    Long low = r.getLong("low");
                    return Optional.of(new StreamInfo(r.getString("epoch"), r.getLong("head"), low));
                });
    }

    /** Epoch and head, creating the stream (empty, fresh epoch) when the account has none yet. */
    public Uni<StreamInfo> infoOrCreate(String accountId) {
        return pool.preparedQuery("""
                        with ins as (
                          insert into account_stream (account_id, epoch, head) values ($1, $2, 0)
                          on conflict (account_id) do nothing returning epoch, head)
                        select epoch, head, null::bigint as low from ins
                        union all
                        select s.epoch, s.head, (select min(f.seq) from stream_frame f where f.account_id = s.account_id)
                        from account_stream s where s.account_id = $1
                        limit 1""")
                .execute(Tuple.of(accountId, UUID.randomUUID().toString()))
                .chain(rows -> {
                    if (rows.size() > 0) {
                        Row r = rows.iterator().next();
                        return Uni.createFrom().item(new StreamInfo(r.getString("epoch"), r.getLong("head"), r.getLong("low")));
                    }
                    // Another connection created the stream concurrently: our insert waited for its commit and did
                    // nothing, and this statement's snapshot predates that commit. A new statement sees the row.
                    return info(accountId).map(info -> info.orElseThrow(
                            () -> new IllegalStateException("stream of " + accountId + " vanished while being created")));
                });
    }

    /** A stream and one device's cursor in it, as read when the device connects. */
    public record Opened(StreamInfo stream, Optional<DeviceCursor> cursor) {
    }

    /**
     * The connect read: epoch, head and lowest retained seq of the account's stream (creating it when new) and the
     * device's cursor, in one statement (one round trip).
     */
    public Uni<Opened> open(String accountId, String deviceId) {
        return pool.preparedQuery("""
                        with ins as (
                          insert into account_stream (account_id, epoch, head) values ($1, $2, 0)
                          on conflict (account_id) do nothing returning epoch, head),
                        s as (
                          (select epoch, head, null::bigint as low from ins)
                          union all
                          (select s.epoch, s.head, (select min(f.seq) from stream_frame f where f.account_id = s.account_id)
                           from account_stream s where s.account_id = $1)
                          limit 1)
                        select s.epoch, s.head, s.low, c.device_id, c.epoch as cursor_epoch, c.acked_seq, c.last_seen
                        from s left join device_cursor c on c.account_id = $1 and c.device_id = $3""")
                .execute(Tuple.of(accountId, UUID.randomUUID().toString(), deviceId))
                .chain(rows -> {
                    if (rows.size() > 0) {
                        return Uni.createFrom().item(opened(rows.iterator().next()));
                    }
                    // created concurrently by another connection (see infoOrCreate): rare, two more reads
                    return infoOrCreate(accountId).chain(info -> cursor(accountId, deviceId).map(c -> new Opened(info, c)));
                });
    }

    /** A row of the connect read ({@link #open}, {@link #openAll}): the stream and, when it has one, the device's cursor. */
    private static Opened opened(Row r) {
        StreamInfo info = new StreamInfo(r.getString("epoch"), r.getLong("head"), r.getLong("low"));
        Optional<DeviceCursor> cursor = r.getString("device_id") == null ? Optional.empty()
                : Optional.of(new DeviceCursor(r.getString("device_id"), r.getString("cursor_epoch"),
                        r.getLong("acked_seq"), r.getOffsetDateTime("last_seen").toInstant()));
        return new Opened(info, cursor);
    }

    /** One device's connect read, for {@link #openAll}. */
    public record OpenRequest(String accountId, String deviceId) {
    }

    /**
     * The connect read of many devices in one statement (one round trip for a reconnect storm's batch, see
     * {@link StreamOpens}): for each request, in order, what {@link #open} reads. The streams that do not exist yet are
     * created (in account order, so two batches creating the same accounts wait for each other instead of deadlocking).
     * A stream created by another transaction after this statement's snapshot is neither inserted nor seen; that
     * request falls back to {@link #open} (rare: two first connects of one account at once).
     */
    public Uni<List<Opened>> openAll(List<OpenRequest> requests) {
        int n = requests.size();
        String[] accounts = new String[n];
        String[] devices = new String[n];
        String[] epochs = new String[n];
        for (int i = 0; i < n; i++) {
            accounts[i] = requests.get(i).accountId();
            devices[i] = requests.get(i).deviceId();
            epochs[i] = UUID.randomUUID().toString();
        }
        return pool.preparedQuery(OPEN_ALL).execute(Tuple.of(accounts, epochs, devices))
                .chain(rows -> {
                    List<Uni<Opened>> opened = new ArrayList<>(n);
                    int i = 0;
                    for (Row r : rows) {
                        OpenRequest request = requests.get(i++);
                        if (!r.getBoolean("found")) {
                            opened.add(open(request.accountId(), request.deviceId()));
                            continue;
                        }
                        opened.add(Uni.createFrom().item(opened(r)));
                    }
                    if (i != n) {
                        return Uni.createFrom().failure(new IllegalStateException(
                                "the batched connect read answered " + i + " rows for " + n + " devices"));
                    }
                    // Uni.join keeps the order of the list
                    return Uni.join().all(opened).andFailFast();
                });
    }

    private static final String OPEN_ALL = """
            with opening as (
              select * from unnest($1::text[], $2::text[], $3::text[]) with ordinality as t(account_id, fresh_epoch, device_id, i)),
            ins as (
              insert into account_stream (account_id, epoch, head)
              select distinct on (account_id) account_id, fresh_epoch, 0 from opening order by account_id
              on conflict (account_id) do nothing
              returning account_id, epoch, head)
            select r.i,
                   (ins.account_id is not null or s.account_id is not null) as found,
                   coalesce(ins.epoch, s.epoch) as epoch,
                   coalesce(ins.head, s.head) as head,
                   case when ins.account_id is null
                        then (select min(f.seq) from stream_frame f where f.account_id = r.account_id) end as low,
                   c.device_id, c.epoch as cursor_epoch, c.acked_seq, c.last_seen
            from opening r
            left join ins on ins.account_id = r.account_id
            left join account_stream s on s.account_id = r.account_id
            left join device_cursor c on c.account_id = r.account_id and c.device_id = r.device_id
            order by r.i""";

    /** Up to {@code limit} frames with seq greater than {@code afterSeq}, oldest first. */
    public Uni<List<Frame>> after(String accountId, long afterSeq, int limit) {
        return pool.preparedQuery("select " + FRAME_COLUMNS + ", s.epoch from stream_frame f join account_stream s"
                        + " on s.account_id = f.account_id where f.account_id = $1 and f.seq > $2 order by f.seq limit $3")
                .execute(Tuple.of(accountId, afterSeq, limit))
                .map(rows -> {
                    List<Frame> frames = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        frames.add(toFrame(r));
                    }
                    return frames;
                });
    }

    private static Frame toFrame(Row r) {
        OffsetDateTime t = r.getOffsetDateTime("event_time");
        return new Frame(r.getString("account_id"), r.getLong("seq"), r.getString("epoch"), r.getString("event_id"),
                r.getString("type"), DeliveryClass.fromWire(r.getString("delivery")), r.getString("coalesce_key"),
                r.getString("origin_device"), r.getLong("revision"), t == null ? Instant.EPOCH : t.toInstant(),
                r.getString("data"));
    }

    /** Records a device's acknowledged position (never moving it back within an epoch). */
    public Uni<Void> saveCursor(String accountId, String deviceId, String epoch, long ackedSeq) {
        return pool.preparedQuery("""
                        insert into device_cursor (account_id, device_id, epoch, acked_seq, last_seen) values ($1, $2, $3, $4, now())
                        on conflict (account_id, device_id) do update set
                          acked_seq = case when device_cursor.epoch = excluded.epoch
                                           then greatest(device_cursor.acked_seq, excluded.acked_seq) else excluded.acked_seq end,
                          epoch = excluded.epoch, last_seen = now()""")
                .execute(Tuple.of(accountId, deviceId, epoch, ackedSeq))
                .replaceWithVoid();
    }

    /** One device's acknowledged position, for {@link #saveCursors}. */
    public record CursorWrite(String accountId, String deviceId, String epoch, long ackedSeq) {
    }

    /** Records many devices' acknowledged positions in one statement (never moving one back within an epoch). */
    public Uni<Void> saveCursors(List<CursorWrite> cursors) {
        if (cursors.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = cursors.size();
        String[] accounts = new String[n];
        String[] devices = new String[n];
        String[] epochs = new String[n];
        Long[] seqs = new Long[n];
        for (int i = 0; i < n; i++) {
            CursorWrite c = cursors.get(i);
            accounts[i] = c.accountId();
            devices[i] = c.deviceId();
            epochs[i] = c.epoch();
            seqs[i] = c.ackedSeq();
        }
        return pool.preparedQuery("""
                        insert into device_cursor (account_id, device_id, epoch, acked_seq, last_seen)
                        select a, d, e, s, now() from unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) as t(a, d, e, s)
                        on conflict (account_id, device_id) do update set
                          acked_seq = case when device_cursor.epoch = excluded.epoch
                                           then greatest(device_cursor.acked_seq, excluded.acked_seq) else excluded.acked_seq end,
                          epoch = excluded.epoch, last_seen = now()""")
                .execute(Tuple.of(accounts, devices, epochs, seqs))
                .replaceWithVoid();
    }

    /** Marks many devices as seen in one statement (creating a cursor at the given seq where a device has none). */
    public Uni<Void> touchCursors(List<CursorWrite> devices) {
        if (devices.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = devices.size();
        String[] accounts = new String[n];
        String[] ids = new String[n];
        String[] epochs = new String[n];
        Long[] seqs = new Long[n];
        for (int i = 0; i < n; i++) {
            CursorWrite c = devices.get(i);
            accounts[i] = c.accountId();
            ids[i] = c.deviceId();
            epochs[i] = c.epoch();
            seqs[i] = c.ackedSeq();
        }
        return pool.preparedQuery("""
                        insert into device_cursor (account_id, device_id, epoch, acked_seq, last_seen)
                        select a, d, e, s, now() from unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) as t(a, d, e, s)
                        on conflict (account_id, device_id) do update set last_seen = now()""")
                .execute(Tuple.of(accounts, ids, epochs, seqs))
                .replaceWithVoid();
    }

    /** Marks a device as seen (creating its cursor at {@code startSeq} when it has none). */
    public Uni<Void> touchCursor(String accountId, String deviceId, String epoch, long startSeq) {
        return pool.preparedQuery("""
                        insert into device_cursor (account_id, device_id, epoch, acked_seq, last_seen) values ($1, $2, $3, $4, now())
                        on conflict (account_id, device_id) do update set last_seen = now()""")
                .execute(Tuple.of(accountId, deviceId, epoch, startSeq))
                .replaceWithVoid();
    }

    public Uni<Optional<DeviceCursor>> cursor(String accountId, String deviceId) {
        return pool.preparedQuery("select device_id, epoch, acked_seq, last_seen from device_cursor where account_id = $1 and device_id = $2")
                .execute(Tuple.of(accountId, deviceId))
                .map(rows -> rows.size() == 0 ? Optional.<DeviceCursor>empty() : Optional.of(toCursor(rows.iterator().next())));
    }

    public Uni<List<DeviceCursor>> cursors(String accountId) {
        return pool.preparedQuery("select device_id, epoch, acked_seq, last_seen from device_cursor where account_id = $1 order by device_id")
                .execute(Tuple.of(accountId))
                .map(rows -> {
                    List<DeviceCursor> list = new ArrayList<>();
                    rows.forEach(r -> list.add(toCursor(r)));
                    return list;
                });
    }

    private static DeviceCursor toCursor(Row r) {
        return new DeviceCursor(r.getString("device_id"), r.getString("epoch"), r.getLong("acked_seq"),
                r.getOffsetDateTime("last_seen").toInstant());
    }

    /** What a retention sweep did: frames dropped, and the bounded statements it took. */
    public record Trimmed(int deleted, int statements) {
    }

    private static final String TRIM_BY_COUNT = """
            delete from stream_frame where (account_id, seq) in (
              select f.account_id, f.seq from stream_frame f join account_stream s on s.account_id = f.account_id
              where f.seq <= s.head - $1 limit $2)""";
    private static final String TRIM_BY_AGE = """
            delete from stream_frame where (account_id, seq) in (
              select account_id, seq from stream_frame where created_at < $1 limit $2)""";

    /**
     * Retention: drops frames beyond the newest {@code maxCount} of each account and frames older than
     * {@code maxAge}, in statements of at most {@code batch} rows each (short transactions, short locks, bounded WAL
     * per statement), repeated until a statement finds less than a batch.
     */
    public Uni<Trimmed> trim(int maxCount, Duration maxAge, int batch) {
        OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minus(maxAge);
        return deleteInBatches(TRIM_BY_COUNT, maxCount, batch, new Trimmed(0, 0))
                .chain(byCount -> deleteInBatches(TRIM_BY_AGE, cutoff, batch, byCount));
    }

    private Uni<Trimmed> deleteInBatches(String sql, Object bound, int batch, Trimmed sofar) {
        return pool.preparedQuery(sql).execute(Tuple.of(bound, batch))
                .chain(rows -> {
                    Trimmed now = new Trimmed(sofar.deleted() + rows.rowCount(), sofar.statements() + 1);
                    return rows.rowCount() < batch ? Uni.createFrom().item(now) : deleteInBatches(sql, bound, batch, now);
                });
    }

    /** Drops an account's frames up to and including {@code seq} (retention for one account; used by tests and ops). */
    public Uni<Integer> trimAccount(String accountId, long throughSeq) {
        return pool.preparedQuery("delete from stream_frame where account_id = $1 and seq <= $2")
                .execute(Tuple.of(accountId, throughSeq))
                .map(r -> r.rowCount());
    }

    public record StreamInfo(String epoch, long head, Long low) {
    }

    public record DeviceCursor(String deviceId, String epoch, long ackedSeq, Instant lastSeen) {
    }
}
