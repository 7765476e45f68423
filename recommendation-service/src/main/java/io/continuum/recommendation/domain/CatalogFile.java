package io.continuum.recommendation.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.platform.problem.Problem;
import io.continuum.platform.problem.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The catalog exchange format, shared by the bundled file and the admin upload: a JSON array (or
 * {@code {"items":[...]}}) of {@code {"itemId","title","kind","durationMinutes","genres":[...],"maturity",
 * "releaseDate"}}. Validation names every bad field ({@code items[3].kind}).
 */
public final class CatalogFile {

    public static final Pattern ITEM_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    private static final Pattern GENRE = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    private CatalogFile() {
    }

    public static List<CatalogItem> read(InputStream in, ObjectMapper json) {
        try (in) {
            return parse(json.readTree(in), Integer.MAX_VALUE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Validates and binds; throws a 422 {@link ProblemException} listing every bad field. */
    public static List<CatalogItem> parse(JsonNode root, int maxItems) {
        JsonNode array = root != null && root.isObject() ? root.get("items") : root;
        if (array == null || !array.isArray()) {
            throw ProblemException.invalid("items", "must be an array of catalog items");
        }
        if (array.size() == 0) {
            throw ProblemException.invalid("items", "must not be empty");
        }
        if (array.size() > maxItems) {
            throw ProblemException.invalid("items", "at most " + maxItems + " items per upload");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        List<CatalogItem> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size() && errors.size() < 50; i++) {
            String at = "items[" + i + "].";
            JsonNode n = array.get(i);
            if (!n.isObject()) {
                errors.add(new Problem.FieldError("items[" + i + "]", "must be an object"));
                continue;
            }
            int before = errors.size();
            String id = text(n, "itemId");
            if (id == null || !ITEM_ID.matcher(id).matches()) {
                errors.add(new Problem.FieldError(at + "itemId", "must match " + ITEM_ID.pattern()));
            }
            String title = text(n, "title");
            if (title == null || title.isBlank() || title.length() > 300) {
                errors.add(new Problem.FieldError(at + "title", "must be 1..300 characters"));
            }
            Kind kind = Kind.parse(text(n, "kind")).orElse(null);
            if (kind == null) {
                errors.add(new Problem.FieldError(at + "kind", "must be one of movie, episode, short, music, game"));
            }
            JsonNode d = n.get("durationMinutes");
            int duration = d != null && d.canConvertToInt() && d.isIntegralNumber() ? d.intValue() : -1;
            if (duration < 1 || duration > 1440) {
                errors.add(new Problem.FieldError(at + "durationMinutes", "must be an integer within 1..1440"));
            }
            List<String> genres = new ArrayList<>();
            JsonNode g = n.get("genres");
            if (g == null || !g.isArray() || g.size() == 0 || g.size() > 10) {
                errors.add(new Problem.FieldError(at + "genres", "must be an array of 1..10 genres"));
            } else {
                for (JsonNode x : g) {
                    String genre = x.isTextual() ? x.asText().toLowerCase(Locale.ROOT) : "";
                    if (!GENRE.matcher(genre).matches()) {
                        errors.add(new Problem.FieldError(at + "genres", "each genre must match " + GENRE.pattern()));
                        break;
                    }
                    genres.add(genre);
                }
            }
            Maturity maturity = Maturity.parse(text(n, "maturity")).orElse(null);
            if (maturity == null) {
                errors.add(new Problem.FieldError(at + "maturity", "must be one of all, 7+, 13+, 16+, 18+"));
            }
            LocalDate release = null;
            try {
                String r = text(n, "releaseDate");
                release = r == null ? null : LocalDate.parse(r);
            } catch (DateTimeParseException e) {
                // reported below
            }
            if (release == null) {
                errors.add(new Problem.FieldError(at + "releaseDate", "must be a date, e.g. 2024-05-01"));
            }
            if (errors.size() == before) {
                out.add(new CatalogItem(id, title.strip(), kind, duration, genres, maturity, release));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(422, "validation", "Invalid input",
                    errors.size() + " invalid field(s), first: " + errors.get(0).field(), errors);
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
