package io.continuum.platform.security;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The smallest secured endpoint, the same in every service: a service declares
 * {@code @Path("/api/<area>/whoami") @Authenticated public class WhoAmIResource extends WhoAmIEndpoint {}}.
 */
public abstract class WhoAmIEndpoint {

    @Inject
    Caller caller;

    @ConfigProperty(name = "quarkus.application.name")
    String service;

    @GET
    public WhoAmI whoami() {
        return WhoAmI.of(service, caller);
    }
}
