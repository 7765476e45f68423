package io.continuum.platform.problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Thrown anywhere to answer with a problem+json response; mapped by {@link ProblemMappers}. */
public class ProblemException extends RuntimeException {

    private static final String TYPE_BASE = "https://continuum.dev/problems/";

    private final int status;
    private final String slug;
    private final String title;
    private final List<Problem.FieldError> errors;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public ProblemException(int status, String slug, String title, String detail, List<Problem.FieldError> errors) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public ProblemException with(String member, Object value) {
        extensions.put(member, value);
        return this;
    }

    public int status() {
        return status;
    }

    public Problem toProblem(String instance) {
        return new Problem(TYPE_BASE + slug, title, status, getMessage(), instance, errors, Map.copyOf(extensions));
    }

    public static ProblemException badRequest(String title, String detail, String field) {
        return new ProblemException(400, "bad-request", title, detail, List.of(new Problem.FieldError(field, detail)));
    }

    public static ProblemException invalid(String field, String message) {
        return new ProblemException(422, "validation", "Invalid input", field + ": " + message,
                List.of(new Problem.FieldError(field, message)));
    }

    public static ProblemException unauthorized() {
        return new ProblemException(401, "unauthorized", "Unauthorized", "a valid bearer token is required", null);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not-found", "Not found", what + " does not exist", null);
    }

    public static ProblemException conflict(String slug, String detail) {
        return new ProblemException(409, slug, "Conflict", detail, null);
    }

    public static ProblemException preconditionFailed(String detail) {
        return new ProblemException(412, "stale-version", "Precondition failed", detail, null);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "too-large", "Payload too large", detail, null);
    }

    public static ProblemException tooManyRequests(String detail, long retryAfterSeconds) {
        return new ProblemException(429, "rate-limited", "Too many requests", detail, null)
                .with("retryAfterSeconds", retryAfterSeconds);
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "unavailable", "Service unavailable", detail, null);
    }
}
