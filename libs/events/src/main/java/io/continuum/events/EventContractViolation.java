package io.continuum.events;

import java.util.List;

/**
 * An event broke the contract: refused on encode (envelope or schema violation, unknown type) or on
 * decode (not JSON, or missing the attributes a consumer cannot do without). {@link #violations()}
 * names each failing field so the message is actionable in a log line.
 */
public class EventContractViolation extends RuntimeException {

    private final String eventType;
    private final List<String> violations;

    public EventContractViolation(String eventType, List<String> violations) {
        this(eventType, violations, null);
    }

    public EventContractViolation(String eventType, List<String> violations, Throwable cause) {
        super(message(eventType, violations), cause);
        this.eventType = eventType;
        this.violations = List.copyOf(violations);
    }

    /** The CloudEvent type concerned, or {@code null} when it could not be read. */
    public String eventType() {
        return eventType;
    }

    /** One entry per failing field, each starting with the field's path (e.g. {@code data.positionMs: ...}). */
    public List<String> violations() {
        return violations;
    }

    private static String message(String eventType, List<String> violations) {
        return "event " + (eventType == null ? "<unknown type>" : eventType)
                + " violates the event contract: " + String.join("; ", violations);
    }
}
