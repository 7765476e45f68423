package io.continuum.platform.kafka;

import java.time.Duration;

/**
 * Exponential backoff for the retry loops of background threads (outbox relay, Kafka consumers): the delay doubles
 * from {@code initial} up to {@code max} and starts over after a success.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private Duration next;

    public Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    /** The delay the next {@link #pause()} will wait. */
    public Duration next() {
        return next;
    }

    public void reset() {
        next = initial;
    }

    /** Waits the current delay, then doubles it; false when the thread was interrupted (time to stop). */
    public boolean pause() {
        return pause(advance());
    }

    /** The current delay, doubling it for the time after (for callers that schedule the wait themselves, e.g. a timer). */
    public Duration advance() {
        Duration delay = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }

    /** Waits {@code delay} on a background thread; false (with the interrupt flag kept) when interrupted. */
    public static boolean pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis()); // a retry delay on a dedicated background thread, never an event loop
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
