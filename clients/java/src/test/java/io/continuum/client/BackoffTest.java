package io.continuum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Pure logic; the random source is a fixed value so each bound is checked exactly. */
class BackoffTest {

    @Test
    void ceilingDoublesPerFailureUpToTheMaximum() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.999_999);
        assertThat(b.delay(0)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.delay(10)).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.delay(1_000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void jitterStaysBetweenHalfAndTheCeilingAndIsNeverZero() {
        Backoff low = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.0);
        assertThat(low.delay(0)).isEqualTo(Duration.ofMillis(50));
        assertThat(low.delay(4)).isEqualTo(Duration.ofMillis(800));
        Backoff real = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        for (int i = 0; i < 1_000; i++) {
            Duration d = real.delay(2);
            assertThat(d).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        }
    }

    @Test
    void retryAfterIsAFloor() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.5);
        assertThat(b.delay(0, Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
        assertThat(b.delay(3, Duration.ofMillis(1))).isEqualTo(b.delay(3));
        assertThat(b.delay(3, null)).isEqualTo(b.delay(3));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
