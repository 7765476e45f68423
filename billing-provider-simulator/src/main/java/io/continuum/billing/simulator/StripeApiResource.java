package io.continuum.billing.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The Stripe REST API subset billing-sync-service calls: form-encoded requests, Bearer secret key, JSON answers. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class StripeApiResource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ProviderSimulator sim;

    public StripeApiResource(ProviderSimulator sim) {
        this.sim = sim;
    }

    @POST
    @Path("/checkout/sessions")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public ObjectNode createCheckoutSession(@HeaderParam("Authorization") String auth, @HeaderParam("Idempotency-Key") String key,
                                            MultivaluedMap<String, String> form) {
        Merchant m = merchant(auth);
        Map<String, String> f = new HashMap<>();
        form.forEach((k, v) -> f.put(k, v.isEmpty() ? null : v.get(0)));
        if (f.get("line_items[0][price]") == null) {
            throw error(400, "parameter_missing", "line_items[0][price]");
        }
        return sim.createCheckoutSession(m, f, key);
    }

    @GET
    @Path("/subscriptions/{id}")
    public ObjectNode subscription(@HeaderParam("Authorization") String auth, @PathParam("id") String id) {
        Merchant m = merchant(auth);
        ObjectNode sub = m.subscriptions.get(id);
        if (sub == null) {
            throw error(404, "resource_missing", "id");
        }
        return sub;
    }

    @POST
    @Path("/subscriptions/{id}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public ObjectNode update(@HeaderParam("Authorization") String auth, @PathParam("id") String id, MultivaluedMap<String, String> form) {
        Merchant m = merchant(auth);
        if (!m.subscriptions.containsKey(id)) {
            throw error(404, "resource_missing", "id");
        }
        String cancel = form.getFirst("cancel_at_period_end");
        if (cancel == null) {
            return m.subscriptions.get(id);
        }
        return sim.cancelAtPeriodEnd(m, id, Boolean.parseBoolean(cancel)).thenApply(s -> s).getNow(m.subscriptions.get(id));
    }

    /** Newest first, like Stripe; {@code starting_after} pages on. */
    @GET
    @Path("/subscriptions")
    public ObjectNode list(@HeaderParam("Authorization") String auth, @QueryParam("limit") Integer limit,
                           @QueryParam("starting_after") String after) {
        Merchant m = merchant(auth);
        int n = limit == null ? 10 : Math.max(1, Math.min(100, limit));
        List<ObjectNode> all = m.subscriptions.values().stream()
                .sorted(Comparator.comparing((ObjectNode s) -> s.path("created").asLong()).reversed()
                        .thenComparing(s -> s.path("id").asText()))
                .toList();
        int from = 0;
        if (after != null) {
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).path("id").asText().equals(after)) {
                    from = i + 1;
                }
            }
        }
        ObjectNode page = JSON.createObjectNode().put("object", "list").put("url", "/v1/subscriptions");
        ArrayNode data = page.putArray("data");
        all.subList(Math.min(from, all.size()), Math.min(from + n, all.size())).forEach(data::add);
        page.put("has_more", from + n < all.size());
        return page;
    }

    private Merchant merchant(String auth) {
        String key = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
        return sim.merchant(key).orElseThrow(() -> error(401, "invalid_api_key", null));
    }

    static WebApplicationException error(int status, String code, String param) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putObject("error").put("type", status == 401 ? "authentication_error" : "invalid_request_error")
                .put("code", code);
        if (param != null) {
            e.put("param", param);
        }
        return new WebApplicationException(Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build());
    }
}
