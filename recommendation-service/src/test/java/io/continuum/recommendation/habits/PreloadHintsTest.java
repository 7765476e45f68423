package io.continuum.recommendation.habits;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.recommendation.PreloadHint;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStack;
import io.continuum.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A planted habit (the phone hands over to the laptop at this time of day on every comparable day of the last three
 * weeks) makes the service publish one pre-load hint for the laptop through the outbox, read back from the real
 * {@code recommendation.events}; a second pass sends nothing more.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class PreloadHintsTest {

    @Inject
    Pool pool;
    @Inject
    PreloadHints hints;

    @Test
    void aHabitDueWithinTheLeadTimeIsHintedOnceToTheTargetDevice() {
        String account = "acc-" + UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Instant due = now.plus(Duration.ofMinutes(5));
        LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
        boolean weekend = HabitModel.weekend(today);
        List<Tuple> switches = new ArrayList<>();
        List<Tuple> days = new ArrayList<>();
        for (int d = 1; d <= 21; d++) {
            LocalDate day = today.minusDays(d);
            days.add(Tuple.of(account, day));
            if (HabitModel.weekend(day) == weekend) {
                Instant at = due.minus(Duration.ofDays(d)).plus(Duration.ofMinutes(d % 3 - 1));
                switches.add(Tuple.of(account, OffsetDateTime.ofInstant(at, ZoneOffset.UTC)));
            }
        }
        pool.preparedQuery("insert into device_switch (account_id, from_device, to_device, at) values ($1, 'phone-1', 'laptop-1', $2)")
                .executeBatch(switches).await().atMost(Duration.ofSeconds(5));
        pool.preparedQuery("insert into active_day (account_id, day) values ($1, $2)").executeBatch(days)
                .await().atMost(Duration.ofSeconds(5));
        pool.preparedQuery("insert into device_activity (account_id, device_id, at, content_id, position_ms)"
                        + " values ($1, 'phone-1', $2, 'movie-9', 61000)")
                .execute(Tuple.of(account, OffsetDateTime.ofInstant(now.minus(Duration.ofMinutes(2)), ZoneOffset.UTC)))
                .await().atMost(Duration.ofSeconds(5));

        try (EventReader reader = new EventReader(LocalStack.KAFKA_BOOTSTRAP, Topics.RECOMMENDATION_EVENTS)) {
            assertThat(run(now)).isGreaterThanOrEqualTo(1);
            assertThat(run(now.plus(Duration.ofMinutes(1)))).isZero();

            var received = reader.await(e -> account.equals(e.subject())
                    && e.type().equals(EventTypes.RECOMMENDATION_PRELOAD_HINT.type()), 1, Duration.ofSeconds(15));
            PreloadHint hint = received.get(0).event().dataAs(EventTypes.RECOMMENDATION_PRELOAD_HINT).orElseThrow();
            assertThat(hint.targetDeviceId()).isEqualTo("laptop-1");
            assertThat(hint.fromDeviceId()).isEqualTo("phone-1");
            assertThat(Duration.between(due, hint.expectedAt()).abs()).isLessThanOrEqualTo(Duration.ofMinutes(2));
            assertThat(hint.confidence()).isGreaterThanOrEqualTo(0.9);
            assertThat(hint.contentId()).isEqualTo("movie-9");
            assertThat(hint.positionMs()).isEqualTo(61_000L);
            assertThat(hint.items()).hasSize(PreloadHints.ITEMS);
        }
        long rows = pool.preparedQuery("select count(*) from preload_hint where account_id = $1").execute(Tuple.of(account))
                .await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
        assertThat(rows).isEqualTo(1);
    }

    /** Like the scheduler: on a Vert.x context (the reactive session needs one). */
    private int run(Instant now) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> hints.runAt(now));
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }
}
