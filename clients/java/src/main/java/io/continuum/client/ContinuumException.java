package io.continuum.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** Everything the SDK throws. Subclasses say what the app should do about it. */
public class ContinuumException extends RuntimeException {

    public ContinuumException(String message) {
        super(message);
    }

    public ContinuumException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The server answered with an RFC 9457 problem (4xx): retrying the same request gets the same answer. */
    public static class Problem extends ContinuumException {
        public final int status;
        public final JsonNode body;

        public Problem(int status, JsonNode body, String method, String path) {
            super(method + " " + path + " → " + status + " " + body.path("type").asText("") + ": " + body.path("detail").asText(body.toString()));
            this.status = status;
            this.body = body;
        }

        /** The first field the problem names ({@code errors[0].field}), or null. */
        public String field() {
            return body.path("errors").path(0).path("field").asText(null);
        }

        public boolean isType(String suffix) {
            return body.path("type").asText("").endsWith("/" + suffix);
        }
    }

    /** Network failure, 5xx or 503 + Retry-After: try again later; {@link #retryAfter} is the server's floor. */
    public static class Unavailable extends ContinuumException {
        public final Duration retryAfter;

        public Unavailable(String message, Duration retryAfter, Throwable cause) {
            super(message, cause);
            this.retryAfter = retryAfter;
        }
    }

    /** The session is over (revoked, logged out everywhere, refresh refused) and could not be renewed: sign in again. */
    public static class SignedOut extends ContinuumException {
        public SignedOut(String message) {
            super(message);
        }
    }
}
