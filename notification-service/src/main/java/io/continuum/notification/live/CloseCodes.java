package io.continuum.notification.live;

import io.quarkus.websockets.next.CloseReason;

/** The close codes of {@code /ws} (4000–4999 are application codes; see docs/notifications.md). */
public final class CloseCodes {

    /** The connection sent nothing (not even a pong) for the idle timeout. */
    public static final int IDLE_TIMEOUT = 4000;
    /** The access token expired and no new one was sent in time. */
    public static final int TOKEN_EXPIRED = 4001;
    /** A refreshed token named another account or session. */
    public static final int TOKEN_MISMATCH = 4002;
    /** The session (sid) of the connection was revoked: device removed or signed out everywhere. */
    public static final int SESSION_REVOKED = 4003;
    /** The outbound queue overflowed (slow consumer): reconnect and resume from the last seq processed. */
    public static final int SLOW_CONSUMER = 4008;
    /** Too many refused or rate-limited messages. */
    public static final int POLICY = 4009;
    /** An inbound message was larger than allowed (RFC 6455 "message too big"). */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** The replica is shutting down: reconnect (any replica) and resume. */
    public static final int GOING_AWAY = 1001;

    private CloseCodes() {
    }

    public static CloseReason reason(int code, String message) {
        // RFC 6455: the close reason is at most 123 bytes of UTF-8
        String m = message.length() > 120 ? message.substring(0, 120) : message;
        return new CloseReason(code, m);
    }
}
