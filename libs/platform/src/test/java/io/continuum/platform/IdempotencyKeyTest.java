package io.continuum.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.continuum.testing.PrivateKafkaResource;
import io.continuum.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PrivateKafkaResource.class)
class IdempotencyKeyTest {

    private final String token = Tokens.accessToken("alice");

    private Response post(String key, String body) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON).body(body);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.post("/test/counters");
    }

    private long current() {
        return given().auth().oauth2(token).get("/test/counters").then().statusCode(200)
                .extract().jsonPath().getLong("value");
    }

    @Test
    void sameKeyReplaysTheFirstResponseAndAppliesOnce() {
        String key = UUID.randomUUID().toString();
        long before = current();

        Response first = post(key, "{\"label\":\"a\",\"delta\":3}");
        Response second = post(key, "{\"label\":\"a\",\"delta\":3}");

        first.then().statusCode(201);
        second.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertThat(second.jsonPath().getLong("value")).isEqualTo(first.jsonPath().getLong("value"));
        assertThat(current()).isEqualTo(before + 3);
    }

    @Test
    void concurrentRetriesWithOneKeyApplyOnce() {
        String key = UUID.randomUUID().toString();
        long before = current();

        var responses = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> post(key, "{\"label\":\"c\",\"delta\":2}")))
                .map(CompletableFuture::join).toList();

        assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(201));
        assertThat(responses).extracting(r -> r.jsonPath().getLong("value")).containsOnly(before + 2);
        assertThat(current()).isEqualTo(before + 2);
    }

    @Test
    void sameKeyWithAnotherBodyIsRefused() {
        String key = UUID.randomUUID().toString();
        post(key, "{\"label\":\"a\",\"delta\":1}").then().statusCode(201);

        post(key, "{\"label\":\"a\",\"delta\":2}").then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://continuum.dev/problems/idempotency-key-reused"));
    }

    @Test
    void withoutKeyEveryCallApplies() {
        long before = current();
        post(null, "{\"label\":\"n\",\"delta\":1}").then().statusCode(201);
        post(null, "{\"label\":\"n\",\"delta\":1}").then().statusCode(201);
        assertThat(current()).isEqualTo(before + 2);
    }

    @Test
    void failedRequestDoesNotBurnTheKey() {
        String key = UUID.randomUUID().toString();
        post(key, "{\"label\":\"\",\"delta\":1}").then().statusCode(422);
        post(key, "{\"label\":\"ok\",\"delta\":1}").then().statusCode(201);
    }
}
