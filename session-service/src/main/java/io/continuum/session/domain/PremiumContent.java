package io.continuum.session.domain;

import io.continuum.platform.entitlement.Entitlements;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Which content needs the {@code premium} entitlement ({@code continuum.catalog.premium-content}: content ids, or
 * prefixes ending in {@code *}), checked against the local entitlement read model: no call to billing-sync-service.
 */
@ApplicationScoped
public class PremiumContent {

    public static final String ENTITLEMENT = "premium";

    private final List<String> patterns;
    private final Entitlements entitlements;

    public PremiumContent(@ConfigProperty(name = "continuum.catalog.premium-content", defaultValue = "premium-*") List<String> patterns,
                          Entitlements entitlements) {
        this.patterns = patterns.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
        this.entitlements = entitlements;
    }

    public boolean isPremium(String contentId) {
        return contentId != null && patterns.stream().anyMatch(p -> p.endsWith("*")
                ? contentId.startsWith(p.substring(0, p.length() - 1)) : contentId.equals(p));
    }

    /** True when the account may play {@code contentId}. */
    public boolean mayPlay(String accountId, String contentId) {
        return !isPremium(contentId) || entitlements.has(accountId, ENTITLEMENT);
    }
}
