package io.continuum.auth.domain;

import io.continuum.auth.config.AuthConfig;
import io.continuum.auth.keycloak.LogoutTokenVerifier;
import io.continuum.auth.keycloak.LogoutTokenVerifier.LogoutToken;
import io.continuum.auth.persistence.DeviceSession;
import io.continuum.auth.persistence.DeviceSessionRepository;
import io.continuum.auth.persistence.LogoutTokens;
import io.continuum.events.EventTypes;
import io.continuum.events.auth.RevocationConfirmed;
import io.continuum.events.auth.SessionEnded;
import io.continuum.events.auth.SignedOutEverywhere;
import io.continuum.platform.outbox.Outbox;
import io.continuum.platform.problem.ProblemException;
import io.continuum.platform.revocation.RevokedSessions;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * OIDC Back-Channel Logout: Keycloak tells auth-service that a session ended (a logout in the account console, the
 * admin console, another application, or a session auth-service itself ended). The token is verified, its
 * {@code jti} recorded once (a replay is refused), and, unless auth-service already ended that session itself, a
 * {@code session-ended} event (or, for a token naming only the user, {@code signed-out-everywhere}) goes out so
 * every service refuses the session and every device hears of it.
 */
@ApplicationScoped
public class BackchannelLogoutService {

    private static final Logger LOG = Logger.getLogger(BackchannelLogoutService.class);
    public static final String REASON = "backchannel-logout";

    private final LogoutTokenVerifier verifier;
    private final LogoutTokens logoutTokens;
    private final DeviceSessionRepository sessions;
    private final Outbox outbox;
    private final RevokedSessions revoked;
    private final Vertx vertx;
    private final AuthConfig config;

    public BackchannelLogoutService(LogoutTokenVerifier verifier, LogoutTokens logoutTokens,
            DeviceSessionRepository sessions, Outbox outbox, RevokedSessions revoked, Vertx vertx, AuthConfig config) {
        this.verifier = verifier;
        this.logoutTokens = logoutTokens;
        this.sessions = sessions;
        this.outbox = outbox;
        this.revoked = revoked;
        this.vertx = vertx;
        this.config = config;
    }

    public Uni<Void> logout(String rawToken) {
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
                    try {
                        return verifier.verify(rawToken);
                    } catch (LogoutTokenVerifier.InvalidLogoutToken e) {
                        LOG.infof("back-channel logout refused: %s", e.getMessage());
                        throw invalid();
                    }
                }), false)
                .chain(this::apply);
    }

    private Uni<Void> apply(LogoutToken token) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant jtiExpiry = token.issuedAt().plus(config.backchannel().maxAge()).plus(config.backchannel().clockSkew());
        return Panache.withTransaction(() -> logoutTokens.firstUse(token.jti(), jtiExpiry).chain(first -> {
            if (!first) {
                LOG.infof("back-channel logout token %s replayed", token.jti());
                throw invalid();
            }
            if (token.sessionId() != null) {
                return endOne(token, now);
            }
            return endAllOf(token.subject(), now);
        })).invoke(ended -> {
            if (ended.account() != null) {
                revoked.revoke(ended.account(), ended.sessionIds(), "session-ended:" + REASON, now);
                revoked.confirm(ended.account(), ended.sessionIds(), now);
            }
        }).replaceWithVoid();
    }

    private record Ended(String account, List<String> sessionIds) {}

    private Uni<Ended> endOne(LogoutToken token, Instant now) {
        return sessions.findById(token.sessionId()).chain(known -> {
            if (known != null && known.endedAt != null) {
                return Uni.createFrom().item(new Ended(null, List.of())); // we ended it ourselves and said so already
            }
            String account = known != null ? known.accountId : token.subject();
            if (account == null) {
                return Uni.createFrom().item(new Ended(null, List.of())); // no sub and a session we never saw
            }
            String device = known != null ? known.deviceId : null;
            Uni<?> mark = known == null ? Uni.createFrom().voidItem() : sessions.end(List.of(known.sessionId), now);
            return mark.chain(() -> outbox.append(EventTypes.SESSION_ENDED, account, device, null,
                            new SessionEnded(token.sessionId(), device, REASON)))
                    .chain(() -> confirmed(account, List.of(token.sessionId())))
                    .replaceWith(new Ended(account, List.of(token.sessionId())));
        });
    }

    private Uni<Ended> endAllOf(String account, Instant now) {
        return sessions.activeOfAccount(account).chain(active -> {
            List<String> sids = active.stream().map((DeviceSession s) -> s.sessionId).toList();
            if (sids.isEmpty()) {
                return Uni.createFrom().item(new Ended(null, List.of()));
            }
            return sessions.end(sids, now)
                    .chain(() -> outbox.append(EventTypes.SIGNED_OUT_EVERYWHERE, account, null, null,
                            new SignedOutEverywhere(sids, null, null)))
                    .chain(() -> confirmed(account, sids))
                    .replaceWith(new Ended(account, sids));
        });
    }

    /** Keycloak ended these sessions itself (it sent the logout token): nothing to wait for. */
    private Uni<?> confirmed(String account, List<String> sids) {
        return outbox.append(EventTypes.REVOCATION_CONFIRMED, account, null, null, new RevocationConfirmed(sids));
    }

    private static ProblemException invalid() {
        return ProblemException.badRequest("Invalid logout token", "the logout token is not valid", "logout_token");
    }
}
