package io.continuum.recommendation.domain;

import java.time.LocalDate;
import java.util.List;

/** One catalog entry. {@code genres} are lower-case; the first is the primary genre (used for diversity). */
public record CatalogItem(String itemId, String title, Kind kind, int durationMinutes, List<String> genres,
        Maturity maturity, LocalDate releaseDate) {

    public CatalogItem {
        genres = List.copyOf(genres);
    }

    public String primaryGenre() {
        return genres.isEmpty() ? "" : genres.get(0);
    }
}
