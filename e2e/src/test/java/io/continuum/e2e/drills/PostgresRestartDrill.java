package io.continuum.e2e.drills;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.continuum.client.ContinuumClient;
import io.continuum.events.EventTypes;
import io.continuum.events.Topics;
import io.continuum.testing.EventReader;
import io.continuum.testing.LocalStack;
import io.continuum.testing.ThrowAwayUsers;
import io.continuum.testing.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fault drill: the PostgreSQL cluster is stopped (fast shutdown) for 20 s while devices write, then started again.
 * While it is down every service answers at once (never a hang) and never a bare 500: a read that needs the database
 * is a 503 problem+json with {@code Retry-After} (the caller's entitlements, already in billing's memory, are 200); the SDK keeps its writes queued. Once it is back every service
 * recovers by itself (no restart), the queued writes are applied, and the outbox loses nothing: every op, including
 * those committed just before the stop, reaches Kafka. Prints its figures.
 *
 * <p>Tagged {@code drill} (stops a shared server): run by {@code deploy/local/test.sh} after the e2e suite, or by
 * hand with {@code ./mvnw -pl e2e verify -Pdrills}. Self-restoring (the cluster is started in a {@code finally}).
 */
@Tag("drill")
class PostgresRestartDrill extends Drill {

    static final Duration DOWN = Duration.ofSeconds(20);
    /** Reads through the gateway, one per service that keeps state in PostgreSQL. */
    static final List<String> READS = List.of("/api/state/snapshot", "/api/auth/devices", "/api/notifications/devices",
            "/api/billing/entitlements", "/api/billing/subscriptions");
    /**
     * Read before the stop, so in billing-sync-service's in-memory entitlement view (docs/billing.md): still answered
     * 200 while PostgreSQL is down, exactly (no transaction can change an entitlement meanwhile).
     */
    static final String FROM_MEMORY = "/api/billing/entitlements";

    @RegisterExtension
    static final ThrowAwayUsers USERS = new ThrowAwayUsers("drill-pg");


    @Test
    void servicesAnswer503WhilePostgresIsDownAndRecoverByThemselvesWithNothingLost() throws Exception {
        var user = USERS.get("drill-pg");
        String run = UUID.randomUUID().toString().substring(0, 8);
        ContinuumClient phone = device(user, "phone-" + run, "phone", b -> b);
        ContinuumClient tv = device(user, "tv-" + run, "tv", b -> b);
        String probeDevice = "probe-" + run;
        Tokens.TokenSet probe = user.signIn();
        io.continuum.testing.DeviceRegistrations.registerThroughGateway(probe, probeDevice);
        try (EventReader events = new EventReader(Topics.STATE_EVENTS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> phone.online() && tv.online());
            for (String path : READS) {
                assertThat(Drill.get(path, probe.accessToken(), probeDevice, Duration.ofSeconds(10)).statusCode()).as(path).isEqualTo(200);
            }
            int before = 10, during = 10;
            for (int i = 0; i < before; i++) {
                phone.credit("gold", 1, "drill-before");
            }
            // committed, maybe not yet relayed, when the cluster stops
            await().atMost(Duration.ofSeconds(30)).until(() -> phone.queued() == 0);
            Instant stopped = Instant.now();
            Map<String, String> answers = new LinkedHashMap<>();
            long slowestMs = 0;
            cluster("stop");
            try {
                for (int i = 0; i < during; i++) {
                    phone.credit("gold", 1, "drill-during");
                }
                for (String path : READS) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = Drill.get(path, probe.accessToken(), probeDevice, Duration.ofSeconds(10));
                    slowestMs = Math.max(slowestMs, (System.nanoTime() - t0) / 1_000_000);
                    String type = r.headers().firstValue("Content-Type").orElse("");
                    answers.put(path, r.statusCode() + " " + type + " Retry-After=" + r.headers().firstValue("Retry-After").orElse("-"));
                    if (FROM_MEMORY.equals(path)) {
                        assertThat(r.statusCode()).as(path + " while PostgreSQL is down, from memory: " + r.body()).isEqualTo(200);
                        continue;
                    }
                    assertThat(r.statusCode()).as(path + " while PostgreSQL is down: " + r.body()).isEqualTo(503);
                    assertThat(type).as(path).startsWith("application/problem+json");
                    assertThat(r.headers().firstValue("Retry-After")).as(path).isPresent();
                }
                assertThat(phone.queued()).as("the SDK keeps the writes made while PostgreSQL is down").isEqualTo(during);
                // the outage lasts DOWN in all: the SDK keeps retrying meanwhile
                await().atMost(DOWN.plusSeconds(5)).until(() -> Instant.now().isAfter(stopped.plus(DOWN)));
            } finally {
                cluster("start");
            }
            Instant restarted = Instant.now();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (String path : READS) {
                    if (Drill.get(path, probe.accessToken(), probeDevice, Duration.ofSeconds(10)).statusCode() != 200) {
                        return false;
                    }
                }
                return true;
            });
            Duration recovered = Duration.between(restarted, Instant.now());
            int total = before + during;
            await().atMost(Duration.ofSeconds(60)).until(() -> phone.queued() == 0 && phone.state().wallet("gold") == total
                    && tv.state().wallet("gold") == total && tv.state().revision() == phone.state().revision());
            Duration converged = Duration.between(restarted, Instant.now());
            // restored means Keycloak too: it keeps its realm in this PostgreSQL, and its first token request after the
            // restart can fail on a dead pooled connection (CI: the throw-away users' cleanup got a 500 from it)
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> Tokens.serviceToken() != null);
            // until every op's event is read (a batch the relay could not delete when the database went away is sent
            // again), then 3 s more
            List<EventReader.Received> got = events.awaitUntil(e -> EventTypes.STATE_CHANGED.type().equals(e.type())
                    && user.id().equals(e.subject()), everyOp(total), Duration.ofSeconds(3), Duration.ofSeconds(30));
            Set<String> ops = got.stream().map(r -> r.event().data().path("opId").asText()).collect(Collectors.toSet());
            System.out.printf("%nPostgreSQL restart drill: down %d s; answers while down %s (slowest %d ms);"
                            + " every service answered 200 again %d ms after the start; ops %d (before %d, during %d), state events"
                            + " on Kafka %d, lost %d; every device converged %d ms after the start%n",
                    DOWN.toSeconds(), answers, slowestMs, recovered.toMillis(), total, before, during, ops.size(),
                    total - ops.size(), converged.toMillis());
            assertThat(slowestMs).as("no request waits for the database to come back").isLessThan(10_000);
            assertThat(ops).hasSize(total);
            assertThat(phone.rejectedOps()).isEmpty();
        } finally {
            phone.close();
            tv.close();
        }
    }

    /** pg_ctlcluster on the cluster serving the stack (the machine's only one, as up.sh provisions it). */
    static void cluster(String action) throws Exception {
        Drill.run(List.of("bash", "-c", "v=$(pg_lsclusters -h | awk '$3 == 5432 {print $1; exit}'); "
                + "pg_ctlcluster --skip-systemctl-redirect \"$v\" main " + action + (action.equals("stop") ? " -m fast" : "")));
    }
}
