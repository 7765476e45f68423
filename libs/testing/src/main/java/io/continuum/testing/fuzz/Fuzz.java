package io.continuum.testing.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Sends hostile requests to one endpoint and checks what every service promises about bad input: an answer below
 * 500, problem+json for every 4xx, within {@link #LIMIT_MS}, and the account's state unchanged after every rejected
 * request. Collects every violation and fails once, listing them all.
 */
public final class Fuzz {

    /** What a rejected (or accepted) request may take at most. */
    public static final long LIMIT_MS = 1_000;

    /** The answer to one request as the checks need it. */
    public record Answer(int status, String contentType, String body) {
    }

    private Fuzz() {
    }

    /**
     * @param endpoint for the messages, e.g. {@code POST /api/state/ops}
     * @param send     sends one request and answers what came back
     * @param state    reads the account's state (any value with a meaningful {@code equals}); read before the first
     *                 request and after each rejected one
     */
    public static void check(String endpoint, List<HostileRequest> requests, Function<HostileRequest, Answer> send,
                             Supplier<Object> state) {
        List<String> violations = new ArrayList<>();
        Object before = state.get();
        int rejected = 0;
        for (HostileRequest request : requests) {
            long start = System.nanoTime();
            Answer answer;
            try {
                answer = send.apply(request);
            } catch (RuntimeException e) {
                violations.add(request + " → no answer: " + e);
                continue;
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            String what = request + " → " + answer.status() + " " + answer.contentType() + " " + abbreviate(answer.body());
            if (answer.status() >= 500) {
                violations.add("5xx: " + what);
            }
            if (answer.status() >= 400 && (answer.contentType() == null || !answer.contentType().startsWith("application/problem+json"))) {
                violations.add("not problem+json: " + what);
            }
            if (ms >= LIMIT_MS) {
                violations.add("took " + ms + " ms: " + what);
            }
            Object after = state.get();
            if (answer.status() >= 400) {
                rejected++;
                if (!Objects.equals(before, after)) {
                    violations.add("state changed by a rejected request: " + what + "\n    before: " + before + "\n    after:  " + after);
                }
            }
            before = after;
        }
        if (!violations.isEmpty()) {
            throw new AssertionError(endpoint + ": " + violations.size() + " of " + requests.size() + " hostile requests broke the rules:\n  "
                    + String.join("\n  ", violations));
        }
        if (rejected == 0) {
            throw new AssertionError(endpoint + ": none of " + requests.size() + " hostile requests was rejected; is the endpoint checked at all?");
        }
    }

    private static String abbreviate(String body) {
        if (body == null) {
            return "";
        }
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
}
