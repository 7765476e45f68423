package io.continuum.notification.live;

import io.continuum.notification.domain.Frame;

/** One entry of a socket's outbound queue: a stream frame, or a control frame (text) with an optional coalescing key. */
record Outgoing(Frame frame, String text, String coalesceKey) {

    static Outgoing of(Frame frame) {
        return new Outgoing(frame, null, frame.coalesceKey());
    }

    static Outgoing control(String text, String coalesceKey) {
        return new Outgoing(null, text, coalesceKey);
    }
}
