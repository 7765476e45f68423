package io.continuum.notification.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.continuum.testing.LocalStackResource;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Connect reads asked for together leave together (issue 15: a reconnect storm must not take a pool connection each). */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class StreamOpensTest {

    @Inject
    StreamOpens opens;
    @Inject
    StreamStore store;
    @Inject
    MeterRegistry registry;

    @Test
    void manyConnectReadsAskedAtOnceCostAFewStatementsAndEachGetsItsOwnAnswer() {
        int devices = 300;
        List<String> accounts = new ArrayList<>();
        for (int a = 0; a < 30; a++) {
            accounts.add("acct-" + UUID.randomUUID());
        }
        // half of the accounts have a stream with frames already, as in a reconnect storm
        for (int a = 0; a < accounts.size(); a += 2) {
            store.append(new io.continuum.notification.domain.FrameDraft(accounts.get(a), "e", "continuum.test.v1",
                    io.continuum.notification.domain.DeliveryClass.ORDERED, null, null, null, java.time.Instant.now(), "{}"))
                    .await().indefinitely();
        }
        DistributionSummary batches = registry.get("continuum.notification.open.batch").summary();
        long batchesBefore = batches.count();
        double readsBefore = batches.totalAmount();

        List<Uni<StreamStore.Opened>> reads = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            reads.add(opens.open(accounts.get(i % accounts.size()), "device-" + i));
        }
        List<StreamStore.Opened> answers = Uni.join().all(reads).andFailFast().await().atMost(Duration.ofSeconds(30));

        long statements = batches.count() - batchesBefore;
        System.out.printf("%d connect reads asked at once: %d statements%n", devices, statements);
        assertThat(batches.totalAmount() - readsBefore).isEqualTo(devices);
        assertThat(statements).as("statements for %d connect reads asked at once", devices).isLessThanOrEqualTo(10);
        for (int i = 0; i < devices; i++) {
            String account = accounts.get(i % accounts.size());
            StreamStore.StreamInfo info = store.info(account).await().indefinitely().orElseThrow();
            assertThat(answers.get(i).stream()).as("device %d of %s", i, account)
                    .isEqualTo(new StreamStore.StreamInfo(info.epoch(), info.head(), info.low()));
        }
    }
}
