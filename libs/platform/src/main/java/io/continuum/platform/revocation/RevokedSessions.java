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
 * The sessions ({@code sid}) this instance knows to be revoked, in memory, each kept for
 * {@link RevocationConfig#retention()} after its revocation: as long as an access token of the session can still
 * be valid. Filled from {@code auth.events} by {@link RevocationConsumer} (every instance reads every partition),
 * and directly by a service that revokes sessions itself. Requests and WebSocket upgrades carrying a revoked
 * {@code sid} are refused by {@link RevokedSessionAugmentor}; a WebSocket endpoint that must close live sockets
 * observes {@link SessionsRevoked}.
 */
@ApplicationScoped
public class RevokedSessions {

    private static final Logger LOG = Logger.getLogger(RevokedSessions.class);

    /** sid → when it may be forgotten. */
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
     * {@link SessionsRevoked} for those not known yet. Revocations older than the retention window are ignored
     * (no token of those sessions can still be valid).
     *
     * @return the session ids that were newly revoked
     */
    public Set<String> revoke(String accountId, Collection<String> sessionIds, String reason, Instant revokedAt) {
        Instant at = revokedAt == null ? clock.instant() : revokedAt;
        Instant until = at.plus(config.retention());
        if (!until.isAfter(clock.instant()) || sessionIds == null) {
            return Set.of();
        }
        Set<String> added = new LinkedHashSet<>();
        for (String sid : sessionIds) {
            if (sid == null || sid.isBlank()) {
                continue;
            }
            Instant previous = revoked.get(sid);
            revoked.merge(sid, until, (a, b) -> a.isAfter(b) ? a : b);
            if (previous == null || !previous.isAfter(clock.instant())) {
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
