package io.continuum.billing.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The part of Stripe's REST API billing-sync-service calls (form-encoded requests, JSON answers). */
@RegisterRestClient(configKey = "stripe")
@Path("/v1")
public interface StripeApi {

    @POST
    @Path("/checkout/sessions")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    Uni<JsonNode> createCheckoutSession(@HeaderParam("Authorization") String auth,
                                        @HeaderParam("Idempotency-Key") String idempotencyKey,
                                        MultivaluedMap<String, String> form);

    @GET
    @Path("/subscriptions/{id}")
    Uni<JsonNode> subscription(@HeaderParam("Authorization") String auth, @PathParam("id") String id);

    @POST
    @Path("/subscriptions/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    Uni<JsonNode> updateSubscription(@HeaderParam("Authorization") String auth, @PathParam("id") String id,
                                     MultivaluedMap<String, String> form);

    @GET
    @Path("/subscriptions")
    Uni<JsonNode> listSubscriptions(@HeaderParam("Authorization") String auth, @QueryParam("status") String status,
                                    @QueryParam("limit") int limit, @QueryParam("starting_after") String startingAfter);
}
