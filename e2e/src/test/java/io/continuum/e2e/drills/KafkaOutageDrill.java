package io.continuum.e2e.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continuum.client.ContinuumClient;
import io.continuum.testing.LocalStack;
import io.continuum.testing.ThrowAwayUsers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault drill: the shared Kafka broker is stopped for 30 s while three SDK devices write, then started again.
 * Writes must be accepted throughout (session-service commits; the events wait in the outbox), nothing may be lost,
 * and every device must converge once Kafka is back. Prints its figures.
 *
 * <p><b>Stops a shared server</b>: tagged {@code drill}, excluded from the normal e2e run, run only by
 * {@code deploy/local/test.sh} (sequential, nothing else running) or by hand with
 * {@code ./mvnw -pl e2e verify -Pdrills} on a machine nobody else uses. Bounded (30 s down, 120 s to converge) and
 * self-restoring: Kafka is started again in a {@code finally}, whatever happens.
 */
@Tag("drill")
class KafkaOutageDrill extends Drill {

    static final Duration DOWN = Duration.ofSeconds(30);

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("drill-kafka");


    @Test
    void writesAreAcceptedWhileKafkaIsDownAndEveryDeviceConvergesAfter() throws Exception {
        var user = USERS.get("drill-kafka");
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<ContinuumClient> devices = new ArrayList<>();
        for (String kind : List.of("phone", "desktop", "tv")) {
            devices.add(device(user, kind + "-" + run, kind, b -> b));
        }
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> devices.stream().allMatch(ContinuumClient::online));
            int sent = 0;
            Instant stopped = Instant.now();
            Drill.script("down.sh", "kafka");
            try {
                Instant until = stopped.plus(DOWN);
                while (Instant.now().isBefore(until)) {
                    for (ContinuumClient d : devices) {
                        d.credit("gold", 1, "drill");
                        sent++;
                    }
                    // one round every 300 ms at most, and only once the last one was accepted: writes go on while Kafka is down
                    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10))
                            .until(() -> devices.stream().allMatch(d -> d.queued() == 0));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> devices.stream().allMatch(d -> d.queued() == 0));
            } finally {
                Drill.script("up.sh", "--infra");
            }
            Instant restarted = Instant.now();
            long applied = sent - devices.stream().mapToLong(d -> d.rejectedOps().size()).sum();
            int expected = sent;
            until(Duration.ofSeconds(120), () -> devices.stream().allMatch(d -> d.state().wallet("gold") == expected
                    && d.state().revision() == devices.get(0).state().revision()),
                    () -> "expected gold " + expected + "; " + String.join(", ", devices.stream().map(d -> show(d.deviceId(), d)).toList()));
            Duration converge = Duration.between(restarted, Instant.now());
            long lost = expected - devices.get(0).api().get("/api/state/snapshot").path("wallet").path("gold").asLong();
            System.out.printf("%nKafka outage drill: down %d s; ops sent %d, applied %d, lost %d; every device converged %d ms after Kafka was back%n",
                    DOWN.toSeconds(), sent, applied, lost, converge.toMillis());
            assertThat(applied).isEqualTo(sent);
            assertThat(lost).isZero();
        } finally {
            devices.forEach(ContinuumClient::close);
        }
    }
}
