package io.continuum.notification.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;

@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class StreamStoreTest {

    @Inject
    StreamStore store;

    /** Two devices of a new account connecting at once both open the one stream it gets (was: one failed). */
    @RepeatedTest(5)
    void concurrentFirstConnectionsOfAnAccountShareOneStream() {
        String account = "acct-" + UUID.randomUUID();

        List<StreamStore.StreamInfo> infos = Uni.join()
                .all(IntStream.range(0, 8).mapToObj(i -> store.infoOrCreate(account)).toList())
                .andFailFast()
                .await().atMost(Duration.ofSeconds(10));

        assertThat(infos).hasSize(8);
        assertThat(infos).extracting(StreamStore.StreamInfo::epoch).containsOnly(infos.get(0).epoch());
        assertThat(infos).extracting(StreamStore.StreamInfo::head).containsOnly(0L);
    }

    /** Retention deletes in statements of a bounded size, repeated until nothing is left to drop. */
    @org.junit.jupiter.api.Test
    void retentionDeletesInBoundedBatchesUntilNothingIsLeft() {
        String account = "acct-" + UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            store.append(new io.continuum.notification.domain.FrameDraft(account, "old-" + i, "continuum.test.v1",
                    io.continuum.notification.domain.DeliveryClass.ORDERED, null, null, null, java.time.Instant.now(), "{}"))
                    .await().indefinitely();
        }
        // older than any retention the app itself runs with (7 days), so this sweep touches only this account's rows
        store.pool().preparedQuery("update stream_frame set created_at = now() - interval '400 days' where account_id = $1")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(account)).await().indefinitely();

        StreamStore.Trimmed t = store.trim(Integer.MAX_VALUE / 2, Duration.ofDays(365), 2).await().indefinitely();

        assertThat(t.deleted()).isGreaterThanOrEqualTo(5);
        assertThat(t.statements()).isGreaterThanOrEqualTo(1 + 3); // one by count (nothing), then 2 + 2 + 1 by age
        assertThat(store.after(account, 0, 100).await().indefinitely()).isEmpty();
    }

    /**
     * The batched connect read answers each device what the single read answers, in the order asked: a new account's
     * stream is created once however many of its devices are in the batch, an existing stream gives its head and
     * lowest retained seq, and a device's cursor comes with it only for that device.
     */
    @org.junit.jupiter.api.Test
    void theBatchedConnectReadAnswersEachDeviceWhatTheSingleReadDoes() {
        String fresh = "acct-" + UUID.randomUUID();
        String old = "acct-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            store.append(new io.continuum.notification.domain.FrameDraft(old, "e-" + i, "continuum.test.v1",
                    io.continuum.notification.domain.DeliveryClass.ORDERED, null, null, null, java.time.Instant.now(), "{}"))
                    .await().indefinitely();
        }
        store.trimAccount(old, 1).await().indefinitely();
        StreamStore.StreamInfo oldInfo = store.info(old).await().indefinitely().orElseThrow();
        store.saveCursor(old, "tv", oldInfo.epoch(), 2).await().indefinitely();

        List<StreamStore.Opened> opened = store.openAll(List.of(new StreamStore.OpenRequest(fresh, "phone"),
                new StreamStore.OpenRequest(old, "tv"), new StreamStore.OpenRequest(fresh, "laptop"),
                new StreamStore.OpenRequest(old, "phone"))).await().atMost(Duration.ofSeconds(10));

        assertThat(opened).hasSize(4);
        StreamStore.StreamInfo created = store.info(fresh).await().indefinitely().orElseThrow();
        assertThat(opened.get(0).stream()).isEqualTo(new StreamStore.StreamInfo(created.epoch(), 0, null));
        assertThat(opened.get(2).stream()).isEqualTo(opened.get(0).stream());
        assertThat(opened.get(1).stream()).isEqualTo(new StreamStore.StreamInfo(oldInfo.epoch(), 3, 2L));
        assertThat(opened.get(3).stream()).isEqualTo(opened.get(1).stream());
        assertThat(opened.get(1).cursor()).hasValueSatisfying(c -> {
            assertThat(c.epoch()).isEqualTo(oldInfo.epoch());
            assertThat(c.ackedSeq()).isEqualTo(2);
        });
        assertThat(opened.get(0).cursor()).isEmpty();
        assertThat(opened.get(2).cursor()).isEmpty();
        assertThat(opened.get(3).cursor()).isEmpty();
        assertThat(store.open(old, "tv").await().indefinitely().stream()).isEqualTo(opened.get(1).stream());
    }
}
