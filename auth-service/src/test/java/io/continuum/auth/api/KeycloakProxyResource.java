package io.continuum.auth.api;

import io.continuum.testing.LocalStack;
import io.continuum.testing.TcpProxy;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.util.Map;

/**
 * Points auth-service's Keycloak admin client at a {@link TcpProxy} in front of the real, shared Keycloak, so a
 * test can make Keycloak unreachable for this instance only (token verification still goes to Keycloak directly).
 * Retries are fast here: first after 200 ms, at most every second.
 */
public class KeycloakProxyResource implements QuarkusTestResourceLifecycleManager {

    private static TcpProxy proxy;

    public static TcpProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        LocalStack.ensureInfra();
        URI keycloak = URI.create(LocalStack.KEYCLOAK_URL);
        proxy = TcpProxy.start(keycloak.getHost(), keycloak.getPort());
        return Map.of(
                "continuum.auth.keycloak.url", proxy.url(),
                "continuum.auth.keycloak.timeout", "2s",
                "continuum.auth.keycloak.retries", "0",
                "continuum.auth.keycloak-jobs.initial-backoff", "200ms",
                "continuum.auth.keycloak-jobs.max-backoff", "1s",
                "continuum.auth.keycloak-jobs.poll", "200ms");
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }
}
