package io.continuum.billing.domain;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.continuum.billing.config.BillingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The declared catalog ({@code billing/catalog.json}): products, their plans, and the entitlements a product grants.
 * Read once at start-up; {@code CatalogSync} mirrors it into the product and plan tables.
 */
@ApplicationScoped
public class Catalog {

    public record Plan(String id, String productId, int amountCents, String currency, String interval, int trialDays) {}

    public record Product(String id, String name, List<String> entitlements, List<Plan> plans) {}

    private record File(List<ProductJson> products) {}

    private record ProductJson(String id, String name, List<String> entitlements, List<PlanJson> plans) {}

    /** {@code storeProductIds}: the plan's product id in each app store ({@code app_store}, {@code play_store}). */
    private record PlanJson(String id, int amountCents, String currency, String interval, int trialDays,
                            Map<String, String> storeProductIds) {}

    private final Map<String, Product> products = new LinkedHashMap<>();
    private final Map<String, Plan> plans = new LinkedHashMap<>();
    /** {@code <store>:<store's product id>} → plan */
    private final Map<String, Plan> storePlans = new LinkedHashMap<>();

    public Catalog(BillingConfig config) {
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(config.catalog())) {
            if (in == null) {
                throw new IllegalStateException("billing catalog " + config.catalog() + " not found on the classpath");
            }
            for (ProductJson p : mapper.readValue(in, File.class).products()) {
                List<Plan> ps = p.plans().stream()
                        .map(j -> new Plan(j.id(), p.id(), j.amountCents(), j.currency(), j.interval(), j.trialDays())).toList();
                if (p.entitlements() == null || p.entitlements().isEmpty() || ps.isEmpty()) {
                    throw new IllegalStateException("catalog product " + p.id() + " needs entitlements and plans");
                }
                products.put(p.id(), new Product(p.id(), p.name(), List.copyOf(p.entitlements()), ps));
                for (int i = 0; i < ps.size(); i++) {
                    Plan plan = ps.get(i);
                    Map<String, String> ids = p.plans().get(i).storeProductIds();
                    if (ids != null) {
                        ids.forEach((store, productId) -> {
                            if (storePlans.put(store + ":" + productId, plan) != null) {
                                throw new IllegalStateException("catalog: " + store + " product " + productId + " is on two plans");
                            }
                        });
                    }
                }
                ps.forEach(plan -> {
                    if (plans.put(plan.id(), plan) != null) {
                        throw new IllegalStateException("catalog plan declared twice: " + plan.id());
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read billing catalog " + config.catalog(), e);
        }
    }

    public Optional<Plan> plan(String id) {
        return Optional.ofNullable(id == null ? null : plans.get(id));
    }

    /** The plan sold in {@code store} (an app store) as {@code productId}. */
    public Optional<Plan> planInStore(String store, String productId) {
        return Optional.ofNullable(productId == null ? null : storePlans.get(store + ":" + productId));
    }

    public Product product(String id) {
        Product p = products.get(id);
        if (p == null) {
            throw new IllegalArgumentException("unknown product " + id);
        }
        return p;
    }

    public List<String> entitlementsOfPlan(String planId) {
        return plan(planId).map(p -> product(p.productId()).entitlements()).orElse(List.of());
    }

    public Map<String, Product> products() {
        return Map.copyOf(products);
    }

    public Set<String> planIds() {
        return plans.keySet();
    }
}
