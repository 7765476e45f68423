package io.continuum.recommendation.persistence;

import io.continuum.recommendation.habits.HabitModel;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Device activity, switches and active days (the habits' raw data), and the sent pre-load hints. */
@ApplicationScoped
public class HabitStore {

    /** The account's current device, what it last played, and when. */
    public record Activity(String deviceId, Instant at, String contentId, Long positionMs) {
    }

    private final Pool pool;

    public HabitStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Inside a transaction: one activity of the account on a device. Records a switch when the previous activity was
     * on another device at most {@code maxGap} earlier, then moves the current device (never backwards in time).
     */
    public Uni<Void> activity(String account, String device, Instant at, String contentId, Long positionMs,
            Duration maxGap, ZoneId zone) {
        OffsetDateTime t = InteractionStore.utc(at);
        LocalDate day = at.atZone(zone).toLocalDate();
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into device_switch (account_id, from_device, to_device, at)
                        select account_id, device_id, :device, :at from device_activity
                        where account_id = :account and device_id <> :device and at < :at and at >= :since""")
                .setParameter("account", account).setParameter("device", device).setParameter("at", t)
                .setParameter("since", InteractionStore.utc(at.minus(maxGap))).executeUpdate()
                .chain(() -> s.createNativeQuery("""
                        insert into device_activity as a (account_id, device_id, at, content_id, position_ms)
                        values (:account, :device, :at, :content, :position)
                        on conflict (account_id) do update set device_id = excluded.device_id, at = excluded.at,
                          content_id = coalesce(excluded.content_id, a.content_id),
                          position_ms = case when excluded.content_id is null then a.position_ms else excluded.position_ms end
                        where a.at <= excluded.at""")
                        .setParameter("account", account).setParameter("device", device).setParameter("at", t)
                        .setParameter("content", contentId).setParameter("position", positionMs).executeUpdate())
                .chain(() -> s.createNativeQuery(
                                "insert into active_day (account_id, day) values (:account, :day) on conflict do nothing")
                        .setParameter("account", account).setParameter("day", day).executeUpdate()))
                .replaceWithVoid();
    }

    /**
     * Accounts with a switch in the window whose time of day (in {@code zone}) is within {@code fromMinute..toMinute}
     * (minutes of the day; a range that crosses midnight is not matched): the only ones that can have a habit due.
     */
    public Uni<List<String>> candidates(Instant since, ZoneId zone, int fromMinute, int toMinute) {
        return pool.preparedQuery("""
                        select distinct account_id from device_switch
                        where at >= $1
                          and extract(hour from (at at time zone $2)) * 60 + extract(minute from (at at time zone $2))
                              between $3 and $4""")
                .execute(Tuple.of(InteractionStore.utc(since), zone.getId(), fromMinute, toMinute))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    public Uni<List<HabitModel.Switch>> switches(String account, Instant since) {
        return pool.preparedQuery("select from_device, to_device, at from device_switch where account_id = $1 and at >= $2"
                        + " order by at limit 5000")
                .execute(Tuple.of(account, InteractionStore.utc(since)))
                .map(rows -> {
                    List<HabitModel.Switch> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new HabitModel.Switch(r.getString(0), r.getString(1), r.getOffsetDateTime(2).toInstant()));
                    }
                    return out;
                });
    }

    public Uni<Set<LocalDate>> activeDays(String account, LocalDate since) {
        return pool.preparedQuery("select day from active_day where account_id = $1 and day >= $2")
                .execute(Tuple.of(account, since))
                .map(rows -> {
                    Set<LocalDate> out = new HashSet<>();
                    rows.forEach(r -> out.add(r.getLocalDate(0)));
                    return out;
                });
    }

    public Uni<Optional<Activity>> current(String account) {
        return pool.preparedQuery("select device_id, at, content_id, position_ms from device_activity where account_id = $1")
                .execute(Tuple.of(account))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    return Optional.of(new Activity(r.getString(0), r.getOffsetDateTime(1).toInstant(), r.getString(2),
                            r.getLong(3)));
                });
    }

    /** Inside a transaction: true when this (account, target, expected time) had no hint yet. */
    public Uni<Boolean> claimHint(String account, String target, Instant expectedAt, String hintId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into preload_hint (account_id, target_device, expected_at, hint_id)
                        values (:account, :target, :expected, cast(:hint as uuid)) on conflict do nothing""")
                .setParameter("account", account).setParameter("target", target)
                .setParameter("expected", InteractionStore.utc(expectedAt)).setParameter("hint", hintId)
                .executeUpdate()).map(n -> n == 1);
    }

    /** Deletes switches, days and hints older than the window (they no longer count). */
    public Uni<Void> prune(Instant before, LocalDate beforeDay) {
        OffsetDateTime t = InteractionStore.utc(before);
        return pool.preparedQuery("delete from device_switch where at < $1").execute(Tuple.of(t))
                .chain(() -> pool.preparedQuery("delete from active_day where day < $1").execute(Tuple.of(beforeDay)))
                .chain(() -> pool.preparedQuery("delete from preload_hint where expected_at < $1").execute(Tuple.of(t)))
                .replaceWithVoid();
    }
}
