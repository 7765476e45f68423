package io.continuum.events.state;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Player state at the time of a position change; serialized lower-case as in the schema. */
public enum PlaybackState {
    @JsonProperty("playing") PLAYING,
    @JsonProperty("paused") PAUSED,
    @JsonProperty("stopped") STOPPED
}
