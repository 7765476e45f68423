package io.continuum.events;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One versioned event type: its CloudEvent {@code type} string, the topic it is published on and
 * the record its {@code data} binds to. The JSON Schema lives at {@link #schemaResource()}.
 *
 * @param type      {@code continuum.<area>.<event>.v<N>}
 * @param topic     one of {@link Topics}
 * @param dataClass payload record
 */
public record EventType<T extends EventData>(String type, String topic, Class<T> dataClass) {

    /** {@code continuum.<area>.<event>.v<N>}: lower-case kebab segments, a positive version. */
    public static final Pattern TYPE_PATTERN =
            Pattern.compile("^continuum\\.[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*\\.v[1-9][0-9]*$");

    public EventType {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(dataClass, "dataClass");
        // Fail at class-init time: a badly named type must never reach a topic.
        if (!TYPE_PATTERN.matcher(type).matches()) {
            throw new IllegalArgumentException("event type '" + type + "' does not match " + TYPE_PATTERN);
        }
    }

    /** Classpath location of this type's JSON Schema, e.g. {@code /schemas/continuum.auth.device-revoked.v1.json}. */
    public String schemaResource() {
        return "/schemas/" + type + ".json";
    }
}
