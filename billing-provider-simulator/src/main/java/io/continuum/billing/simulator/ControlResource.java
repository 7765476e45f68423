package io.continuum.billing.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The test and demo controls (not part of Stripe's API): merchants, their webhook endpoint and delivery behaviour,
 * and the provider-side actions a user or a bank would cause (pay, renew, fail, refund, dispute, cancel, silent drift).
 */
@Path("/sim")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ControlResource {

    private final ProviderSimulator sim;

    public ControlResource(ProviderSimulator sim) {
        this.sim = sim;
    }

    public record NewMerchant(String webhookUrl) {}

    public record Endpoint(String url, List<String> secrets) {}

    @POST
    @Path("/merchants")
    public Map<String, Object> create(NewMerchant body) {
        Merchant m = sim.createMerchant(body == null ? null : body.webhookUrl());
        return Map.of("apiKey", m.apiKey, "webhookSecret", m.webhookSecrets.get(0));
    }

    @PUT
    @Path("/merchants/{key}/endpoint")
    public Map<String, Object> endpoint(@PathParam("key") String key, Endpoint body) {
        Merchant m = merchant(key);
        if (body.url() != null) {
            m.webhookUrl = body.url();
        }
        if (body.secrets() != null && !body.secrets().isEmpty()) {
            m.webhookSecrets = List.copyOf(body.secrets());
        }
        return Map.of("url", m.webhookUrl, "secrets", m.webhookSecrets);
    }

    @PUT
    @Path("/merchants/{key}/behaviour")
    public Merchant.Behaviour behaviour(@PathParam("key") String key, Merchant.Behaviour body) {
        merchant(key).behaviour = body == null ? Merchant.Behaviour.NORMAL : body;
        return merchant(key).behaviour;
    }

    @GET
    @Path("/merchants/{key}/deliveries")
    public List<Merchant.Delivery> deliveries(@PathParam("key") String key) {
        return new ArrayList<>(merchant(key).deliveries);
    }

    @GET
    @Path("/merchants/{key}/events")
    public List<JsonNode> events(@PathParam("key") String key) {
        return new ArrayList<>(merchant(key).events.values());
    }

    @POST
    @Path("/merchants/{key}/events/{id}/resend")
    public CompletionStage<Map<String, Object>> resend(@PathParam("key") String key, @PathParam("id") String id) {
        return sim.resend(merchant(key), id).thenApply(x -> Map.of("resent", id));
    }

    /** The user pays on the checkout page; answers once the first delivery attempts were made. */
    @POST
    @Path("/merchants/{key}/checkout/{id}/complete")
    public CompletionStage<ObjectNode> complete(@PathParam("key") String key, @PathParam("id") String id) {
        return sim.completeCheckout(merchant(key), id);
    }

    /** {@code {"outcome":"paid"|"failed"|"failed-then-paid","recoverAfterMs":…}} */
    @POST
    @Path("/merchants/{key}/subscriptions/{id}/renew")
    public CompletionStage<ObjectNode> renew(@PathParam("key") String key, @PathParam("id") String id, Map<String, Object> body) {
        Merchant m = merchant(key);
        String outcome = body == null ? "paid" : String.valueOf(body.getOrDefault("outcome", "paid"));
        return switch (outcome) {
            case "paid" -> sim.renew(m, id, true);
            case "failed" -> sim.renew(m, id, false);
            case "failed-then-paid" -> sim.failThenRecover(m, id,
                    Duration.ofMillis(((Number) body.getOrDefault("recoverAfterMs", 1000)).longValue()));
            default -> throw new jakarta.ws.rs.BadRequestException("outcome: paid, failed or failed-then-paid");
        };
    }

    @POST
    @Path("/merchants/{key}/subscriptions/{id}/refund")
    public CompletionStage<ObjectNode> refund(@PathParam("key") String key, @PathParam("id") String id) {
        return sim.chargeback(merchant(key), id, false);
    }

    @POST
    @Path("/merchants/{key}/subscriptions/{id}/dispute")
    public CompletionStage<ObjectNode> dispute(@PathParam("key") String key, @PathParam("id") String id) {
        return sim.chargeback(merchant(key), id, true);
    }

    @POST
    @Path("/merchants/{key}/subscriptions/{id}/cancel-now")
    public CompletionStage<ObjectNode> cancelNow(@PathParam("key") String key, @PathParam("id") String id) {
        return sim.cancelNow(merchant(key), id);
    }

    /** {@code {"status":"canceled","cancelAtPeriodEnd":true}}: changed at the provider, no webhook sent. */
    @PUT
    @Path("/merchants/{key}/subscriptions/{id}/silent")
    public ObjectNode silent(@PathParam("key") String key, @PathParam("id") String id, Map<String, Object> body) {
        return sim.silentlySet(merchant(key), id, (String) body.get("status"), (Boolean) body.get("cancelAtPeriodEnd"));
    }

    private Merchant merchant(String key) {
        return sim.merchant(key).orElseThrow(() -> new NotFoundException("no merchant " + key));
    }
}
