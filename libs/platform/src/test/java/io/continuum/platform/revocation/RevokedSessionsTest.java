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

/** Retention and firing rules of the revoked-session set, with a controlled clock. */
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
            public Duration lookback() { return retention; }
            public String topic() { return "auth.events"; }
            public Duration pollTimeout() { return Duration.ofMillis(100); }
            public Duration partitionRefresh() { return Duration.ofMinutes(1); }
        };
    }

    final MutableClock clock = new MutableClock();
    final Recorded events = new Recorded();
    final RevokedSessions sessions = new RevokedSessions(config(Duration.ofMinutes(10)), events, clock);

    @Test
    void keepsASessionForTheRetentionWindowThenForgetsIt() {
        sessions.revoke("acct", List.of("s1"), "test", clock.now);
        assertThat(sessions.isRevoked("s1")).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(sessions.isRevoked("s1")).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        assertThat(sessions.isRevoked("s1")).isFalse();
        sessions.purgeExpired();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void ignoresRevocationsOlderThanTheWindowAndUnknownOrNullSessions() {
        assertThat(sessions.revoke("acct", List.of("old"), "test", clock.now.minus(Duration.ofMinutes(11)))).isEmpty();
        assertThat(sessions.isRevoked("old")).isFalse();
        assertThat(sessions.isRevoked(null)).isFalse();
        assertThat(sessions.isRevoked("never")).isFalse();
        assertThat(events.fired).isEmpty();
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
