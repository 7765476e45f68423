package io.continuum.platform.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.continuum.platform.json.UnsafeTextException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import io.continuum.platform.security.UnauthorizedProblemHandler;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as RFC 9457 problem+json; validation errors name the field. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri, HttpHeaders headers) {
        Response response = e.toProblem(uri.getPath()).toResponse();
        return e.status() == 401 ? withChallenge(response, headers) : response;
    }

    /**
     * Authentication failures that surface inside a REST call (e.g. no token on an {@code @Authenticated} resource):
     * the same answers as {@link UnauthorizedProblemHandler} gives before the endpoint.
     */
    @ServerExceptionMapper({io.quarkus.security.UnauthorizedException.class,
            io.quarkus.security.AuthenticationFailedException.class,
            io.quarkus.security.AuthenticationCompletionException.class})
    public Response unauthenticated(RuntimeException e, UriInfo uri, HttpHeaders headers) {
        ProblemException problem = UnauthorizedProblemHandler.problemFor(e, 401);
        return problem(problem == null ? ProblemException.unauthorized() : problem, uri, headers);
    }

    private static Response withChallenge(Response response, HttpHeaders headers) {
        String auth = headers.getHeaderString("Authorization");
        return Response.fromResponse(response)
                .header("WWW-Authenticate", UnauthorizedProblemHandler.challenge(auth != null && !auth.isBlank()))
                .header("Cache-Control", "no-store")
                .build();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .toList();
        String detail = errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; "));
        return new Problem("https://continuum.dev/problems/validation", "Invalid input", 422, detail, uri.getPath(), errors, Map.of())
                .toResponse();
    }

    /** A string holding U+0000 or a control character: 422 naming the field (see {@code StrictJson}). */
    @ServerExceptionMapper
    public Response unsafeText(UnsafeTextException e, UriInfo uri) {
        String field = jsonPath(e);
        String name = field.isEmpty() ? "body" : field;
        return new Problem("https://continuum.dev/problems/validation", "Invalid input", 422, name + ": " + e.reason(),
                uri.getPath(), List.of(new Problem.FieldError(name, e.reason())), Map.of()).toResponse();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        if (e instanceof UnsafeTextException unsafe) {
            return unsafeText(unsafe, uri);
        }
        String field = e instanceof JsonMappingException m ? jsonPath(m) : "";
        String detail = field.isEmpty()
                ? "the request body is not one valid JSON value" + parserReason(e)
                : "field " + field + " has the wrong type or format";
        List<Problem.FieldError> errors = field.isEmpty() ? List.of() : List.of(new Problem.FieldError(field, detail));
        return new Problem("https://continuum.dev/problems/malformed", "Malformed request", 400, detail, uri.getPath(), errors, Map.of())
                .toResponse();
    }

    /** More specific than Quarkus' own mapper for this type, which would answer plain JSON. */
    @ServerExceptionMapper
    public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e, UriInfo uri) {
        return unreadable(e, uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return unreadable(json, uri);
        }
        Response.StatusType status = e.getResponse().getStatusInfo();
        String detail = status.getStatusCode() >= 500 ? "the server could not complete the request" : e.getMessage();
        Response.ResponseBuilder builder = Response.status(status);
        // keep headers such as Allow or WWW-Authenticate that the original response carried
        e.getResponse().getHeaders().forEach((k, v) -> v.forEach(value -> builder.header(k, value)));
        return builder.type(Problem.JSON)
                .entity(new Problem("about:blank", status.getReasonPhrase(), status.getStatusCode(), detail, uri.getPath(), List.of(), Map.of()))
                .build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri) {
        if (e instanceof io.quarkus.security.ForbiddenException) {
            return new ProblemException(403, "forbidden", "Forbidden", "not allowed", null).toProblem(uri.getPath()).toResponse();
        }
        if (DatabaseUnavailable.is(e)) {
            LOG.warnf("%s: a backing store is unreachable (%s); answered 503", uri.getPath(), e.toString());
            return Response.fromResponse(new ProblemException(503, "database-unavailable", "Service unavailable",
                            "a store this service depends on cannot be reached right now; retry later", null).toProblem(uri.getPath()).toResponse())
                    .header("Retry-After", "5").build();
        }
        LOG.errorf(e, "Unexpected error on %s", uri.getPath());
        return new Problem("https://continuum.dev/problems/internal", "Internal error", 500,
                "the server could not complete the request", uri.getPath(), List.of(), Map.of()).toResponse();
    }

    /** "register.arg0.displayName" → "displayName": clients know their JSON, not our method names. */
    static String fieldOf(ConstraintViolation<?> violation) {
        StringBuilder field = new StringBuilder();
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.METHOD || node.getKind() == ElementKind.CONSTRUCTOR) {
                continue;
            }
            if (node.getKind() == ElementKind.PARAMETER) {
                continue; // the body parameter itself; query/path params are named by @RestQuery names below
            }
            if (node.getIndex() != null && field.length() > 0) {
                field.append('[').append(node.getIndex()).append(']');
            }
            if (node.getName() != null && !node.getName().startsWith("<")) {
                if (field.length() > 0) {
                    field.append('.');
                }
                field.append(node.getName());
            }
        }
        if (field.length() == 0) {
            // a violation on a plain parameter (query, path, header): use the parameter's name
            for (Path.Node node : violation.getPropertyPath()) {
                if (node.getKind() == ElementKind.PARAMETER) {
                    return node.getName();
                }
            }
        }
        return field.toString();
    }

    /** Jackson's own words for a syntax error ("Duplicate field 'x'", trailing token), without its source excerpt. */
    private static String parserReason(JsonProcessingException e) {
        if (e instanceof JsonMappingException) {
            return "";
        }
        String reason = e.getOriginalMessage();
        if (reason == null) {
            return "";
        }
        int cut = reason.indexOf('\n');
        reason = cut >= 0 ? reason.substring(0, cut) : reason;
        return reason.length() > 200 ? ": " + reason.substring(0, 200) : ": " + reason;
    }

    private static String jsonPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
