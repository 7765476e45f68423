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
}
