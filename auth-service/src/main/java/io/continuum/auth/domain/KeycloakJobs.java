package io.continuum.auth.domain;

import io.continuum.auth.config.AuthConfig;
import io.continuum.auth.keycloak.KeycloakAdmin;
import io.continuum.auth.persistence.KeycloakJob;
import io.continuum.events.EventTypes;
import io.continuum.events.auth.RevocationConfirmed;
import io.continuum.platform.outbox.Outbox;
import io.continuum.platform.revocation.RevokedSessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The Keycloak side of a revocation, made durable. A revocation writes its {@link KeycloakJob} in its own
 * transaction ({@link #schedule}), already leased by the request, which runs it right after the commit
 * ({@link #run}). Whatever fails (Keycloak down, a crash between commit and call) is retried by every replica's
 * poller ({@link #runDue}, rows taken with {@code for update skip locked} and leased), with exponential backoff,
 * until Keycloak confirms. Completion marks the row done and publishes {@code revocation-confirmed} in one
 * transaction: from then on (plus the longest access-token lifetime) services may forget the revoked sessions;
 * before, they keep refusing them.
 */
@ApplicationScoped
public class KeycloakJobs {

    private static final Logger LOG = Logger.getLogger(KeycloakJobs.class);

    private final KeycloakAdmin keycloak;
    private final Outbox outbox;
    private final RevokedSessions revoked;
    private final AuthConfig.KeycloakJobs config;
    private final Counter failures;
    private final Counter completions;

    public KeycloakJobs(KeycloakAdmin keycloak, Outbox outbox, RevokedSessions revoked, AuthConfig config,
            MeterRegistry registry) {
        this.keycloak = keycloak;
        this.outbox = outbox;
        this.revoked = revoked;
        this.config = config.keycloakJobs();
        this.failures = Counter.builder("continuum.auth.keycloak.jobs.failed")
                .description("attempts of the Keycloak side of a revocation that failed (retried)").register(registry);
        this.completions = Counter.builder("continuum.auth.keycloak.jobs.completed")
                .description("revocations Keycloak confirmed").register(registry);
    }

    /** Inside the revocation's transaction: the job, leased by the caller, who runs it after the commit. */
    public Uni<KeycloakJob> schedule(String accountId, String kind, List<String> sessionIds, String keepSession) {
        Instant now = now();
        KeycloakJob job = KeycloakJob.of(accountId, kind, sessionIds, keepSession, now, now.plus(config.lease()));
        return job.<KeycloakJob>persist().replaceWith(job);
    }

    /**
     * Runs a job taken (leased) by this replica: the Keycloak calls, then done + {@code revocation-confirmed}, or
     * the next attempt scheduled. Never fails; true when Keycloak confirmed.
     */
    public Uni<Boolean> run(KeycloakJob job) {
        return Uni.createFrom().deferred(() -> execute(job))
                .chain(ended -> complete(job, ended).replaceWith(true))
                .onFailure().recoverWithUni(e -> fail(job, e).replaceWith(false))
                .onFailure().recoverWithItem(e -> {
                    LOG.errorf(e, "Keycloak job %d: could not record its outcome; it is retried when its lease ends", job.id);
                    return false;
                });
    }

    /** Every replica looks for due jobs (new, failed, or leased by a replica that died) and runs them. */
    @Scheduled(every = "${continuum.auth.keycloak-jobs.poll:1s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> runDue() {
        return claimDue().chain(jobs -> jobs.isEmpty() ? Uni.createFrom().voidItem()
                : Multi.createFrom().iterable(jobs).onItem().transformToUniAndConcatenate(this::run)
                        .collect().last().replaceWithVoid())
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Keycloak jobs: cannot read due jobs: %s", e.toString());
                    return null;
                });
    }

    /** Due jobs, leased to this replica in one short transaction (other replicas skip the locked rows). */
    Uni<List<KeycloakJob>> claimDue() {
        Instant leaseUntil = now().plus(config.lease());
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "select * from keycloak_job where done_at is null and next_attempt_at <= now()"
                                + " order by id limit :n for update skip locked", KeycloakJob.class)
                .setParameter("n", config.batch())
                .getResultList())
                .invoke(jobs -> jobs.forEach(j -> j.nextAttemptAt = leaseUntil)));
    }

    /** The Keycloak calls of the job; the sessions Keycloak now has ended. */
    private Uni<List<String>> execute(KeycloakJob job) {
        List<String> listed = job.sessions();
        return switch (job.kind) {
            case KeycloakJob.LOGOUT_USER -> keycloak.logoutUser(job.accountId).chain(() -> endEach(listed)).replaceWith(listed);
            case KeycloakJob.END_SESSIONS_EXCEPT -> keycloak.userSessionIds(job.accountId).chain(current -> {
                Set<String> all = new LinkedHashSet<>(listed);
                all.addAll(current);
                all.remove(job.keepSession);
                List<String> ended = new ArrayList<>(all);
                return endEach(ended).replaceWith(ended);
            });
            default -> endEach(listed).replaceWith(listed);
        };
    }

    private Uni<Void> endEach(List<String> sessionIds) {
        if (sessionIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(sessionIds)
                .onItem().transformToUniAndMerge(keycloak::endSession)
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> complete(KeycloakJob job, List<String> ended) {
        Instant now = now();
        return Panache.withTransaction(() -> KeycloakJob.update(
                        "doneAt = ?1, lastError = null, attempts = attempts + 1 where id = ?2 and doneAt is null", now, job.id)
                .chain(n -> n == 0 || ended.isEmpty() ? Uni.createFrom().voidItem()
                        : outbox.append(EventTypes.REVOCATION_CONFIRMED, job.accountId, null, null,
                                new RevocationConfirmed(ended)).replaceWithVoid()))
                .invoke(() -> {
                    completions.increment();
                    revoked.confirm(job.accountId, ended, now);
                    if (job.attempts > 0) {
                        LOG.infof("Keycloak job %d (%s of %s) done after %d failed attempt(s)", job.id, job.kind,
                                job.accountId, job.attempts);
                    }
                });
    }

    private Uni<Void> fail(KeycloakJob job, Throwable e) {
        failures.increment();
        int attempts = job.attempts + 1;
        Duration delay = backoff(attempts);
        String error = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.warnf("Keycloak job %d (%s of %s) failed (attempt %d): %s; retry in %d ms", job.id, job.kind,
                job.accountId, attempts, error, delay.toMillis());
        job.attempts = attempts;
        return Panache.withTransaction(() -> KeycloakJob.update(
                "attempts = ?1, nextAttemptAt = ?2, lastError = ?3 where id = ?4 and doneAt is null",
                attempts, now().plus(delay), error.length() > 500 ? error.substring(0, 500) : error, job.id))
                .replaceWithVoid();
    }

    /** initial × 2^(attempts−1), at most the maximum. */
    Duration backoff(int attempts) {
        Duration delay = config.initialBackoff();
        for (int i = 1; i < attempts && delay.compareTo(config.maxBackoff()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : delay;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
