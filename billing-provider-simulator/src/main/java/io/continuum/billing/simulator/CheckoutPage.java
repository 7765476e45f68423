package io.continuum.billing.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** The page a device opens to "pay" (the demo's stand-in for Stripe Checkout). */
@Path("/checkout/{id}")
public class CheckoutPage {

    private final ProviderSimulator sim;

    public CheckoutPage(ProviderSimulator sim) {
        this.sim = sim;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response page(@PathParam("id") String id) {
        return sim.merchantOfSession(id).map(m -> {
            ObjectNode s = m.sessions.get(id);
            String price = escape(s.path("metadata").path("price").asText());
            boolean open = "open".equals(s.path("status").asText());
            String html = "<!doctype html><html><head><meta charset=utf-8><title>Checkout (simulator)</title>"
                    + "<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto}button{font-size:1.1rem;padding:.6rem 1.2rem}</style>"
                    + "</head><body><h1>Continuum checkout</h1><p>Payment provider simulator — no real money moves.</p>"
                    + "<p>Plan: <b id=plan>" + price + "</b></p>"
                    + (open ? "<form method=post><button id=pay name=outcome value=paid>Pay</button></form>"
                            : "<p id=done>Paid. You can close this page.</p>")
                    + "</body></html>";
            return Response.ok(html, MediaType.TEXT_HTML_TYPE).build();
        }).orElse(Response.status(404).entity("no such checkout session").type(MediaType.TEXT_PLAIN).build());
    }

    @POST
    @Produces(MediaType.TEXT_HTML)
    public Response pay(@PathParam("id") String id, @FormParam("outcome") String outcome) {
        return sim.merchantOfSession(id).map(m -> {
            sim.completeCheckout(m, id);
            String back = m.sessions.get(id).path("success_url").asText(null);
            return back != null && !back.isBlank() ? Response.seeOther(URI.create(back)).build()
                    : Response.seeOther(URI.create("/checkout/" + id)).build();
        }).orElse(Response.status(404).build());
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
