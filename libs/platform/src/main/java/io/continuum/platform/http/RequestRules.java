package io.continuum.platform.http;

import io.continuum.platform.json.SafeText;
import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Request rules every endpoint of every service shares, checked once here after routing:
 * <ul>
 *   <li>a request with a body must declare a content type the method consumes: the method's (or class's)
 *       {@code @Consumes}, else JSON ({@code application/json} or {@code application/*+json}); anything else is
 *       415 problem+json (a {@code PATCH} with {@code text/plain} used to be read as JSON anyway);</li>
 *   <li>no query parameter may be empty ({@code ?reason=}): 422 naming it, instead of silently meaning "absent";</li>
 *   <li>no path segment or query value may hold U+0000 or a control character ({@code %00} in an id): 400 naming
 *       it, before it reaches a database that cannot store it.</li>
 * </ul>
 */
public class RequestRules {

    private static final MediaType JSON_SUFFIX = new MediaType("application", "*+json");

    @ServerRequestFilter
    public void check(ContainerRequestContext request, ResourceInfo resource) {
        MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters(true);
        for (Map.Entry<String, List<String>> param : query.entrySet()) {
            textOnly("query parameter " + param.getKey(), param.getKey(), param.getKey());
            for (String value : param.getValue()) {
                if (value == null || value.isEmpty()) {
                    throw ProblemException.invalid(param.getKey(), "must not be empty (leave the parameter out instead)");
                }
                textOnly("query parameter " + param.getKey(), param.getKey(), value);
            }
        }
        for (Map.Entry<String, List<String>> param : request.getUriInfo().getPathParameters(true).entrySet()) {
            for (String value : param.getValue()) {
                textOnly("path parameter " + param.getKey(), param.getKey(), value);
            }
        }
        if (hasBody(request)) {
            List<MediaType> accepted = consumes(resource);
            MediaType sent;
            try {
                sent = request.getMediaType();
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("Invalid Content-Type", "not a media type", HttpHeaders.CONTENT_TYPE);
            }
            if (sent == null || accepted.stream().noneMatch(a -> compatible(a, sent))) {
                throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                        "this endpoint reads " + accepted.stream().map(MediaType::toString).reduce((a, b) -> a + " or " + b).orElse("")
                                + (sent == null ? "; the request declares no Content-Type" : ", not " + sent.getType() + "/" + sent.getSubtype()),
                        List.of(new Problem.FieldError(HttpHeaders.CONTENT_TYPE, "unsupported")));
            }
        }
    }

    private static void textOnly(String what, String name, String value) {
        String problem = SafeText.problem(value);
        if (problem != null || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\t') >= 0) {
            throw ProblemException.badRequest("Invalid " + what, what + " " + (problem != null ? problem : "must not contain a line break or TAB"), name);
        }
    }

    private static boolean hasBody(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            return !length.trim().equals("0");
        }
        return request.getHeaderString("Transfer-Encoding") != null;
    }

    private static List<MediaType> consumes(ResourceInfo resource) {
        Method method = resource == null ? null : resource.getResourceMethod();
        Consumes declared = method == null ? null : method.getAnnotation(Consumes.class);
        if (declared == null && method != null) {
            declared = resource.getResourceClass().getAnnotation(Consumes.class);
        }
        if (declared == null) {
            return List.of(MediaType.APPLICATION_JSON_TYPE, JSON_SUFFIX);
        }
        return Arrays.stream(declared.value()).flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim).map(MediaType::valueOf).toList();
    }

    private static boolean compatible(MediaType accepted, MediaType sent) {
        if (accepted.isWildcardType()) {
            return true;
        }
        if (!accepted.getType().equalsIgnoreCase(sent.getType())) {
            return false;
        }
        String a = accepted.getSubtype();
        String s = sent.getSubtype();
        if (a.equals("*")) {
            return true;
        }
        if (a.startsWith("*+")) {
            return s.toLowerCase().endsWith(a.substring(1).toLowerCase());
        }
        return a.equalsIgnoreCase(s);
    }
}
