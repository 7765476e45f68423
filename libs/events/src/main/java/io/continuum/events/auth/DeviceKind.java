package io.continuum.events.auth;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Form factor of a device; serialized lower-case as in the schema. */
public enum DeviceKind {
    @JsonProperty("phone") PHONE,
    @JsonProperty("tablet") TABLET,
    @JsonProperty("desktop") DESKTOP,
    @JsonProperty("tv") TV,
    @JsonProperty("console") CONSOLE,
    @JsonProperty("web") WEB
}
