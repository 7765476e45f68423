package io.continuum.platform.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * RFC 9457 problem details. {@code errors} names each invalid field; {@code extensions} carries
 * problem-specific members (e.g. the current value on a 412).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type, String title, int status, String detail, String instance,
        List<FieldError> errors, @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType JSON = MediaType.valueOf(MEDIA_TYPE);

    /** One invalid input: {@code field} is a JSON path, a query parameter or a header name. */
    public record FieldError(String field, String message) {}

    @JsonAnyGetter
    public Map<String, Object> anyExtensions() {
        return extensions == null ? Map.of() : extensions;
    }

    public Response toResponse() {
        return Response.status(status).type(JSON).entity(this).build();
    }
}
