package io.continuum.recommendation.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.continuum.recommendation.config.RecommendationConfig;
import io.continuum.recommendation.domain.CatalogFile;
import io.continuum.recommendation.domain.CatalogService;
import io.continuum.recommendation.domain.ModelRegistry;
import io.continuum.recommendation.model.Model;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Catalog upload and model operations, for the realm role {@code admin} only. */
@Path("/api/recommendations/admin")
@RolesAllowed("${continuum.recommendation.admin-role:admin}")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    private final CatalogService catalog;
    private final ModelRegistry models;
    private final RecommendationConfig config;

    public AdminResource(CatalogService catalog, ModelRegistry models, RecommendationConfig config) {
        this.catalog = catalog;
        this.models = models;
        this.config = config;
    }

    public record Uploaded(int items, int catalogSize) {
    }

    public record ModelInfo(String version, Instant trainedAt, int users, int items, int interactions,
            long trainingMillis, long approximateBytes, int catalogSize) {
        static ModelInfo of(Model m, int catalogSize) {
            Model.Stats s = m.stats();
            return new ModelInfo(m.version(), m.trainedAt(), s.users(), s.items(), s.interactions(), s.trainingMillis(),
                    m.approximateBytes(), catalogSize);
        }
    }

    @PUT
    @Path("/catalog")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Insert or replace catalog items (all or nothing); a JSON array or {\"items\": [...]}")
    public Uni<Uploaded> upload(JsonNode body) {
        var items = CatalogFile.parse(body, config.catalog().maxUpload());
        return catalog.upload(items).map(n -> new Uploaded(n, catalog.current().size()));
    }

    @GET
    @Path("/model")
    @Operation(summary = "The model being served")
    public ModelInfo model() {
        return ModelInfo.of(models.current(), catalog.current().size());
    }

    @POST
    @Path("/retrain")
    @Blocking
    @Operation(summary = "Full retrain now; answers with the model swapped in")
    public ModelInfo retrain() {
        return ModelInfo.of(models.retrain(), catalog.current().size());
    }
}
