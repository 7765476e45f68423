package io.continuum.recommendation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.continuum.events.CloudEvent;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.events.state.PlaybackPositionChanged;
import io.continuum.events.state.PlaybackState;
import io.continuum.events.state.StateChanged;
import io.continuum.recommendation.Fixtures;
import io.continuum.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/** What the consumer makes of real events on the real broker, stored in the real database. */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class EventConsumerTest {

    @Inject
    Pool pool;

    @Inject
    MeterRegistry meters;

    @Test
    void aRedeliveredPurchaseCountsOnceAndRatingsReplaysAndAbandonmentAreRecorded() {
        String account = "acc-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = Fixtures.producer()) {
            // the group may still be joining (it starts at "latest" in tests): the first purchase is resent until seen
            CloudEvent purchase = CloudEvent.of(EventTypes.STATE_CHANGED, "/test", account, "phone-1", 1L,
                    new StateChanged("purchase", "op-1", "game-7", JsonNodeFactory.instance.objectNode().put("balance", 3)));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Fixtures.send(producer, Topics.STATE_EVENTS, purchase); // same event id every time
                return row(account, "game-7") != null;
            });
            Fixtures.send(producer, Topics.STATE_EVENTS, purchase);
            Fixtures.publish(producer, EventTypes.STATE_CHANGED, account, "phone-1",
                    new StateChanged("rating", "op-2", "game-7", JsonNodeFactory.instance.objectNode().put("rating", 5)));
            // movie-1: finished, restarted (a replay), finished again
            long d = 600_000;
            for (long pos : new long[] {d / 2, d, 1_000, 30_000, d}) {
                Fixtures.publish(producer, EventTypes.PLAYBACK_POSITION_CHANGED, account, "tv-1",
                        new PlaybackPositionChanged("movie-1", pos, d, PlaybackState.PLAYING, "op-" + UUID.randomUUID()));
            }
            // movie-2: stopped after 3 %
            Fixtures.publish(producer, EventTypes.PLAYBACK_POSITION_CHANGED, account, "tv-1",
                    new PlaybackPositionChanged("movie-2", 18_000, d, PlaybackState.STOPPED, "op-" + UUID.randomUUID()));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Row game = row(account, "game-7");
                assertThat(game.getInteger("purchases")).isEqualTo(1);
                assertThat(game.getInteger("rating")).isEqualTo(5);
                Row movie = row(account, "movie-1");
                assertThat(movie).isNotNull();
                assertThat(movie.getBoolean("completed")).isTrue();
                assertThat(movie.getInteger("replays")).isEqualTo(1);
                assertThat(movie.getBoolean("restarted")).isFalse();
                Row abandoned = row(account, "movie-2");
                assertThat(abandoned).isNotNull();
                assertThat(abandoned.getBoolean("abandoned")).isTrue();
            });
            // the account moved from the phone to the TV within minutes: one switch recorded for the habits
            long switches = pool.preparedQuery("select count(*) from device_switch where account_id = $1"
                            + " and from_device = 'phone-1' and to_device = 'tv-1'")
                    .execute(Tuple.of(account)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
            assertThat(switches).isEqualTo(1);
        }
    }

    @Test
    void aBurstOfEventsIsAppliedInAFewTransactionsNotOneEach() {
        String account = "acc-" + UUID.randomUUID();
        int events = 60;
        try (KafkaProducer<String, byte[]> producer = Fixtures.producer()) {
            // the group may still be joining: wait until this account's first event is seen before the burst
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Fixtures.publish(producer, EventTypes.PLAYBACK_POSITION_CHANGED, account, "tv-1",
                        new PlaybackPositionChanged("warm", 1_000, 600_000, PlaybackState.PLAYING, "op-" + UUID.randomUUID()));
                return row(account, "warm") != null;
            });
            for (int i = 0; i < events; i++) {
                Fixtures.publish(producer, EventTypes.PLAYBACK_POSITION_CHANGED, account, "tv-1",
                        new PlaybackPositionChanged("burst-" + i, 60_000, 600_000, PlaybackState.PLAYING, "op-" + UUID.randomUUID()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> count(account, "burst-%") == events);
            // each row's xmin is the transaction that wrote it: one transaction per poll, and the broker holds each
            // fetch for more events, so the burst came in a few polls (one transaction per event before)
            long transactions = pool.preparedQuery("select count(distinct xmin::text) from interaction"
                            + " where account_id = $1 and item_id like 'burst-%'")
                    .execute(Tuple.of(account)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
            assertThat(transactions).as("transactions that wrote %d events", events).isLessThanOrEqualTo(events / 3);
            assertThat(meters.get("recommendation.events.batch").summary().max()).isGreaterThan(1);
        }
    }

    private long count(String account, String itemPattern) {
        return pool.preparedQuery("select count(*) from interaction where account_id = $1 and item_id like $2")
                .execute(Tuple.of(account, itemPattern)).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
    }

    private Row row(String account, String item) {
        var rows = pool.preparedQuery("select * from interaction where account_id = $1 and item_id = $2")
                .execute(Tuple.of(account, item)).await().atMost(Duration.ofSeconds(5));
        return rows.size() == 0 ? null : rows.iterator().next();
    }
}
