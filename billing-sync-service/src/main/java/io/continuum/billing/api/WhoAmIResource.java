package io.continuum.billing.api;

import io.continuum.platform.security.WhoAmIEndpoint;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.Path;

/** Who the caller is, as billing-sync-service sees it (see {@link WhoAmIEndpoint}). */
@Path("/api/billing/whoami")
@Authenticated
public class WhoAmIResource extends WhoAmIEndpoint {}
