package io.continuum.platform.revocation;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The sessions ({@code sid}) this instance knows to be revoked, in memory. A revoked session stays refused until
 * Keycloak has confirmed that it ended ({@code revocation-confirmed}: before that its refresh or offline token may
 * still mint access tokens) and then for {@link RevocationConfig#retention()} more (as long as an access token
 * minted before the confirmation can still be valid). Filled from {@code auth.events} by {@link RevocationConsumer}
 * (every instance reads every partition), and directly by a service that revokes sessions itself. Requests and
 * WebSocket upgrades carrying a revoked {@code sid} are refused by {@link RevokedSessionAugmentor}; a WebSocket
 * endpoint that must close live sockets observes {@link SessionsRevoked}.
 */
@ApplicationScoped
public class RevokedSessions {

    private static final Logger LOG = Logger.getLogger(RevokedSessions.class);

    /** Forget-after of a revocation Keycloak has not confirmed yet: never, until the confirmation comes. */
    static final Instant PENDING = Instant.MAX;

    /** sid → when it may be forgotten ({@link #PENDING} while Keycloak has not confirmed). */
    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
    private final RevocationConfig config;
    private final Event<SessionsRevoked> events;
    private final Clock clock;

    @Inject
    public RevokedSessions(RevocationConfig config, Event<SessionsRevoked> events) {
        this(config, events, Clock.systemUTC());
    }

    RevokedSessions(RevocationConfig config, Event<SessionsRevoked> events, Clock clock) {
        this.config = config;
        this.events = events;
        this.clock = clock;
    }

    /** True when {@code sid} was revoked within the retention window. A {@code null} sid is never revoked. */
    public boolean isRevoked(String sid) {
        if (sid == null) {
            return false;
        }
        Instant until = revoked.get(sid);
        return until != null && until.isAfter(clock.instant());
    }

    /**
     * Records that {@code sessionIds} of {@code accountId} were revoked at {@code revokedAt} and fires
     * {@link SessionsRevoked} for those not known yet. The sessions stay refused until {@link #confirm} (Keycloak
     * ended them) plus the retention.
     *
     * @return the session ids that were newly revoked
     */
    public Set<String> revoke(String accountId, Collection<String> sessionIds, String reason, Instant revokedAt) {
        return record(accountId, sessionIds, reason, PENDING);
    }

    /**
     * Keycloak confirmed at {@code confirmedAt} that {@code sessionIds} ended: they are forgotten
     * {@link RevocationConfig#retention()} later (no access token minted before can outlive that). A session not
     * known as revoked yet is revoked now (fires {@link SessionsRevoked}) unless that time has already passed.
     *
     * @return the session ids that were newly revoked
     */
    public Set<String> confirm(String accountId, Collection<String> sessionIds, Instant confirmedAt) {
        Instant at = confirmedAt == null ? clock.instant() : confirmedAt;
        Instant until = at.plus(config.retention());
        if (!until.isAfter(clock.instant())) {
            if (sessionIds != null) {
                sessionIds.forEach(sid -> {
                    if (sid != null) {
                        revoked.remove(sid);
                    }
                });
            }
            return Set.of();
        }
        return record(accountId, sessionIds, "revocation-confirmed", until);
    }

    private Set<String> record(String accountId, Collection<String> sessionIds, String reason, Instant until) {
        if (sessionIds == null) {
            return Set.of();
        }
        Set<String> added = new LinkedHashSet<>();
        Instant now = clock.instant();
        for (String sid : sessionIds) {
            if (sid == null || sid.isBlank()) {
                continue;
            }
            Instant previous = revoked.get(sid);
            if (until == PENDING) {
                // a confirmed revocation is not made pending again by a redelivered revocation event
                revoked.putIfAbsent(sid, PENDING);
            } else {
                revoked.put(sid, until);
            }
            if (previous == null || !previous.isAfter(now)) {
                added.add(sid);
            }
        }
        if (!added.isEmpty()) {
            LOG.debugf("revoked %d session(s) of %s (%s)", added.size(), accountId, reason);
            try {
                events.fire(new SessionsRevoked(accountId, added, reason));
            } catch (RuntimeException e) {
                // an observer's failure must not undo or stop revocation
                LOG.errorf(e, "an observer of SessionsRevoked failed for account %s", accountId);
            }
        }
        return added;
    }

    /** How many revoked sessions wait for Keycloak's confirmation (a gauge: non-zero for long means Keycloak jobs fail). */
    public long pending() {
        return revoked.values().stream().filter(PENDING::equals).count();
    }

    /** How many revoked sessions are remembered right now (a gauge for operators and tests). */
    public int size() {
        return revoked.size();
    }

    /** Forgets revocations older than the retention window. */
    @Scheduled(every = "1m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeExpired() {
        Instant now = clock.instant();
        revoked.values().removeIf(until -> !until.isAfter(now));
    }
}
