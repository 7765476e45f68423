package io.continuum.auth.api;

import io.continuum.testing.LocalStackResource;
import io.continuum.testing.SecuredEndpointContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class WhoAmIResourceTest extends SecuredEndpointContract {

    @Override
    protected String whoamiPath() {
        return "/api/auth/whoami";
    }
}
