package io.continuum.platform.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * A string of a request body holds a character we never store (U+0000, a control character, an unpaired
 * surrogate). Its path names the field; mapped to 422 by {@code ProblemMappers}.
 */
public class UnsafeTextException extends JsonMappingException {

    public UnsafeTextException(JsonParser parser, String message) {
        super(parser, message);
    }

    /** What is wrong with the value, without the location Jackson appends to {@link #getMessage()}. */
    public String reason() {
        return getOriginalMessage();
    }
}
