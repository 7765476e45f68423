package io.continuum.testing.fuzz;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sends a {@link HostileRequest} byte for byte with the JDK client (rest-assured would fix up content types and
 * encodings, which is exactly what a hostile client does not do). A request unanswered after 5 s is a hang.
 */
public final class HttpFuzz {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private HttpFuzz() {
    }

    /** The base URL of the app under a {@code @QuarkusTest} (its random test port, read when a request is sent). */
    public static Supplier<String> quarkusTestUrl() {
        return () -> "http://localhost:" + io.restassured.RestAssured.port;
    }

    /** A sender for {@link Fuzz#check}: {@code method path} on {@code baseUrl} with {@code headers} (e.g. Authorization). */
    public static Function<HostileRequest, Fuzz.Answer> sender(Supplier<String> baseUrl, Map<String, String> headers,
                                                               String method, String path) {
        return request -> {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl.get() + path))
                    .timeout(Duration.ofSeconds(5))
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(request.body()));
            headers.forEach(b::header);
            if (request.contentType() != null) {
                b.header("Content-Type", request.contentType());
            }
            try {
                HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                return new Fuzz.Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
            } catch (IOException e) {
                throw new IllegalStateException(e.toString(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        };
    }

    /** Bodiless requests whose hostility is in the path or query, each sent exactly as written. */
    public static java.util.List<HostileRequest> paths(String... pathsAndQueries) {
        return java.util.Arrays.stream(pathsAndQueries).map(p -> new HostileRequest(p, null, new byte[0])).toList();
    }

    /** A sender for {@link #paths}: the request's name is its path and query. */
    public static Function<HostileRequest, Fuzz.Answer> pathSender(Supplier<String> baseUrl, Map<String, String> headers, String method) {
        return request -> sender(baseUrl, headers, method, request.name()).apply(request);
    }

    /** Hostile paths and queries under {@code /api/<area>/} that every service must answer with a 4xx problem. */
    public static java.util.List<HostileRequest> areaPaths(String area) {
        String a = "/api/" + area;
        return paths(a + "/whoami?x=", a + "/whoami?x=%00", a + "/a%00b", a + "/%ff%fe", a + "/" + "x".repeat(3000),
                a + "/whoami/..%2f..%2fq%2fhealth", a + "/nothing-here?since=-1", a + "/whoami%0d%0aX-Injected:%201");
    }
}
