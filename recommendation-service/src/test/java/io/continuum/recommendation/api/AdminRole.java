package io.continuum.recommendation.api;

import io.continuum.testing.TestUsers;
import org.eclipse.microprofile.config.ConfigProvider;

/** Grants the configured admin realm role to a throw-away user through the Keycloak admin API (service account). */
final class AdminRole {

    private AdminRole() {
    }

    static void grant(String userId) {
        TestUsers.grantRealmRole(userId, ConfigProvider.getConfig().getValue("continuum.recommendation.admin-role", String.class));
    }
}
