package io.continuum.notification.live;

import io.continuum.notification.domain.Frame;

/**
 * One entry of a socket's outbound queue: a stream frame, or a control frame (text) with an optional coalescing key.
 * A control frame with {@code restartAt >= 0} (a {@code resync}) also restarts the {@code prev} chain there once it
 * is written: the frames after it follow the new position, not the one before the jump.
 */
record Outgoing(Frame frame, String text, String coalesceKey, long restartAt) {

    static Outgoing of(Frame frame) {
        return new Outgoing(frame, null, frame.coalesceKey(), -1);
    }

    static Outgoing control(String text, String coalesceKey) {
        return new Outgoing(null, text, coalesceKey, -1);
    }

    static Outgoing restart(String text, long at) {
        return new Outgoing(null, text, null, at);
    }
}
