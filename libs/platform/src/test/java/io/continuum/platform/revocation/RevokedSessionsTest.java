package io.continuum.platform.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.util.TypeLiteral;
import java.lang.annotation.Annotation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Retention and firing rules of the revoked-session set, with a controlled clock (the only thing faked here). */
class RevokedSessionsTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-28T02:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static class Recorded implements Event<SessionsRevoked> {
        final List<SessionsRevoked> fired = new ArrayList<>();

        @Override
        public void fire(SessionsRevoked event) {
            fired.add(event);
        }

        @Override
        public <U extends SessionsRevoked> CompletionStage<U> fireAsync(U event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends SessionsRevoked> CompletionStage<U> fireAsync(U event, NotificationOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Event<SessionsRevoked> select(Annotation... qualifiers) {
            return this;
        }

        @Override
        public <U extends SessionsRevoked> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends SessionsRevoked> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }
    }

    static RevocationConfig config(Duration retention) {
        return new RevocationConfig() {
            public boolean enabled() { return true; }
            public Duration retention() { return retention; }
            public String topic() { return "auth.events"; }
            public Duration pollTimeout() { return Duration.ofMillis(100); }
            public Duration partitionRefresh() { return Duration.ofMinutes(1); }
        };
    }

    final MutableClock clock = new MutableClock();
    final Recorded events = new Recorded();
    final RevokedSessions sessions = new RevokedSessions(config(Duration.ofMinutes(10)), events, clock);

    @Test
    void keepsARevokedSessionUntilKeycloakConfirmedAndTheRetentionPassedThenForgetsIt() {
        sessions.revoke("acct", List.of("s1"), "test", clock.now);
        assertThat(sessions.isRevoked("s1")).isTrue();
        // Keycloak was unreachable for an hour: the refresh token still works there, so the session stays refused
        clock.now = clock.now.plus(Duration.ofHours(1));
        sessions.purgeExpired();
        assertThat(sessions.isRevoked("s1")).isTrue();
        assertThat(sessions.pending()).isEqualTo(1);

        sessions.confirm("acct", List.of("s1"), clock.now);
        assertThat(sessions.pending()).isZero();
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(sessions.isRevoked("s1")).isTrue();
        // a redelivered revocation does not make a confirmed session pending again
        sessions.revoke("acct", List.of("s1"), "again", clock.now);
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        assertThat(sessions.isRevoked("s1")).isFalse();
        sessions.purgeExpired();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aConfirmationRevokesAnUnknownSessionAndAnOldOneForgetsIt() {
        assertThat(sessions.confirm("acct", List.of("s5"), clock.now)).containsExactly("s5");
        assertThat(sessions.isRevoked("s5")).isTrue();
        // replayed history: revoked then confirmed long ago
        sessions.revoke("acct", List.of("old"), "test", clock.now.minus(Duration.ofDays(2)));
        assertThat(sessions.isRevoked("old")).isTrue();
        assertThat(sessions.confirm("acct", List.of("old"), clock.now.minus(Duration.ofDays(2)))).isEmpty();
        assertThat(sessions.isRevoked("old")).isFalse();
        assertThat(sessions.isRevoked(null)).isFalse();
        assertThat(sessions.isRevoked("never")).isFalse();
    }

    @Test
    void firesOnlyForNewlyRevokedSessions() {
        assertThat(sessions.revoke("acct", List.of("s1", "s2"), "device-revoked:lost", clock.now)).containsExactly("s1", "s2");
        assertThat(sessions.revoke("acct", List.of("s2", "s3"), "signed-out-everywhere", clock.now)).containsExactly("s3");
        assertThat(sessions.revoke("acct", List.of("s1"), "again", clock.now)).isEmpty();
        assertThat(events.fired).containsExactly(
                new SessionsRevoked("acct", Set.of("s1", "s2"), "device-revoked:lost"),
                new SessionsRevoked("acct", Set.of("s3"), "signed-out-everywhere"));
    }

    @Test
    void aFailingObserverDoesNotUndoTheRevocation() {
        RevokedSessions withBadObserver = new RevokedSessions(config(Duration.ofMinutes(10)), new Recorded() {
            @Override
            public void fire(SessionsRevoked event) {
                throw new IllegalStateException("observer broke");
            }
        }, clock);
        withBadObserver.revoke("acct", List.of("s9"), "test", clock.now);
        assertThat(withBadObserver.isRevoked("s9")).isTrue();
    }
}
