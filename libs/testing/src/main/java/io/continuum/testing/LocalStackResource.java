package io.continuum.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * For {@code @QuarkusTestResource(LocalStackResource.class)}: makes sure the real local infrastructure is up
 * before Quarkus starts. The services' defaults already point at it, so no configuration is overridden.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        LocalStack.ensureInfra();
        return Map.of();
    }

    @Override
    public void stop() {
        // shared for the whole run; deploy/local/down.sh (or test.sh) stops it
    }
}
