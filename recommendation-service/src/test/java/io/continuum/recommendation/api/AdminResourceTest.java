package io.continuum.recommendation.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

import io.continuum.recommendation.domain.CatalogService;
import io.continuum.recommendation.domain.Kind;
import io.continuum.testing.LocalStackResource;
import io.continuum.testing.TestUsers;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The admin endpoints with real tokens: an account holder gets 403, a throw-away user holding the realm role
 * {@code admin} (assigned through the Keycloak admin API) uploads and retrains.
 */
@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class AdminResourceTest {

    static TestUsers.User admin;

    @Inject
    CatalogService catalog;

    @AfterAll
    static void deleteAdmin() {
        if (admin != null) {
            admin.delete();
        }
    }

    static String adminToken() {
        if (admin == null) {
            admin = TestUsers.create("recs-admin");
            AdminRole.grant(admin.id());
        }
        return admin.accessToken();
    }

    @Test
    void accountHoldersAreRefusedAndAnonymousCallersUnauthorized() {
        String token = Tokens.accessToken("alice");
        given().auth().oauth2(token).get("/api/recommendations/admin/model").then().statusCode(403);
        given().auth().oauth2(token).contentType(ContentType.JSON).body("[]").put("/api/recommendations/admin/catalog")
                .then().statusCode(403);
        given().auth().oauth2(token).post("/api/recommendations/admin/retrain").then().statusCode(403);
        given().get("/api/recommendations/admin/model").then().statusCode(401);
    }

    @Test
    void anUploadWithBadItemsIsRefusedWholeNamingEachField() {
        String id = "test-" + UUID.randomUUID();
        given().auth().oauth2(adminToken()).contentType(ContentType.JSON).body("""
                        [{"itemId":"%s","title":"Fine","kind":"movie","durationMinutes":90,"genres":["drama"],
                          "maturity":"all","releaseDate":"2020-01-01"},
                         {"itemId":"bad id!","title":"","kind":"opera","durationMinutes":0,"genres":[],
                          "maturity":"PG","releaseDate":"yesterday"}]""".formatted(id))
                .put("/api/recommendations/admin/catalog")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", hasItems("items[1].itemId", "items[1].title", "items[1].kind",
                        "items[1].durationMinutes", "items[1].genres", "items[1].maturity", "items[1].releaseDate"));
        assertThat(catalog.current().get(id)).isEmpty(); // all or nothing
        given().auth().oauth2(adminToken()).contentType(ContentType.JSON).body("{\"items\": 3}")
                .put("/api/recommendations/admin/catalog").then().statusCode(422).body("errors[0].field", equalTo("items"));
    }

    @Test
    void anUploadIsServedAtOnceAndARetrainReportsTheNewModel() {
        String id = "test-" + UUID.randomUUID();
        int before = catalog.current().size();
        given().auth().oauth2(adminToken()).contentType(ContentType.JSON).body("""
                        {"items":[{"itemId":"%s","title":"A Test Short","kind":"short","durationMinutes":4,
                          "genres":["Comedy"],"maturity":"all","releaseDate":"2026-11-30"}]}""".formatted(id))
                .put("/api/recommendations/admin/catalog")
                .then().statusCode(200).body("items", equalTo(1)).body("catalogSize", equalTo(before + 1));
        assertThat(catalog.current().get(id)).hasValueSatisfying(i -> {
            assertThat(i.kind()).isEqualTo(Kind.SHORT);
            assertThat(i.genres()).containsExactly("comedy");
        });
        given().auth().oauth2(adminToken()).post("/api/recommendations/admin/retrain")
                .then().statusCode(200).body("version", startsWith("als-")).body("catalogSize", equalTo(before + 1));
        given().auth().oauth2(adminToken()).get("/api/recommendations/admin/model")
                .then().statusCode(200).body("catalogSize", equalTo(before + 1))
                .body("items", greaterThanOrEqualTo(before + 1)); // plus items only events named
    }
}
