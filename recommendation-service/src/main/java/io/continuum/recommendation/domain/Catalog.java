package io.continuum.recommendation.domain;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** An immutable snapshot of the catalog, swapped whole when it changes. */
public final class Catalog {

    private final Map<String, CatalogItem> items;
    private final long fingerprint;

    public Catalog(Map<String, CatalogItem> items, long fingerprint) {
        this.items = Map.copyOf(items);
        this.fingerprint = fingerprint;
    }

    public static Catalog empty() {
        return new Catalog(Map.of(), 0);
    }

    public Optional<CatalogItem> get(String itemId) {
        return Optional.ofNullable(items.get(itemId));
    }

    public Collection<CatalogItem> items() {
        return items.values();
    }

    public int size() {
        return items.size();
    }

    /** Changes whenever the stored catalog does (row count and latest update), so replicas notice uploads. */
    public long fingerprint() {
        return fingerprint;
    }
}
