package io.continuum.auth.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** The Keycloak side of one revocation, until Keycloak confirms it (see {@code KeycloakJobs}). */
@Entity
@Table(name = "keycloak_job")
public class KeycloakJob extends PanacheEntityBase {

    /** End each listed session and its offline twin. */
    public static final String END_SESSIONS = "end-sessions";
    /** Keycloak's user logout (every session, not-before = now), then each listed session's offline twin. */
    public static final String LOGOUT_USER = "logout-user";
    /** End every session Keycloak lists for the user, and each listed one, except {@link #keepSession}. */
    public static final String END_SESSIONS_EXCEPT = "end-sessions-except";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "account_id")
    public String accountId;
    public String kind;
    @Column(name = "session_ids")
    public String sessionIds;
    @Column(name = "keep_session")
    public String keepSession;
    public int attempts;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "done_at")
    public Instant doneAt;

    public static KeycloakJob of(String accountId, String kind, List<String> sessionIds, String keepSession,
            Instant now, Instant leaseUntil) {
        KeycloakJob job = new KeycloakJob();
        job.accountId = accountId;
        job.kind = kind;
        job.sessionIds = String.join(" ", sessionIds);
        job.keepSession = keepSession;
        job.createdAt = now;
        job.nextAttemptAt = leaseUntil;
        return job;
    }

    public List<String> sessions() {
        return sessionIds == null || sessionIds.isBlank() ? List.of() : Arrays.asList(sessionIds.trim().split(" +"));
    }
}
