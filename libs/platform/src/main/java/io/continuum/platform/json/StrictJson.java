package io.continuum.platform.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Makes every service's JSON input strict, once for all (the CDI {@link ObjectMapper} reads every REST body):
 * <ul>
 *   <li>one JSON value per body: trailing tokens after it are an error (400), not ignored;</li>
 *   <li>a member named twice in one object is an error (400), not "the last one wins";</li>
 *   <li>the declared types: no number or boolean read as a string ({@code {"accountId":12345}}), no string read as a
 *       number or boolean, no float truncated to an integer (400 naming the field);</li>
 *   <li>no U+0000, no control character other than TAB/LF/CR, no unpaired surrogate in any string or member name,
 *       typed or free-form ({@link JsonNode} documents too): 422 naming the field ({@link UnsafeTextException}).
 *       PostgreSQL cannot store U+0000 in text or jsonb at all, so such a value used to fail the request with 500.</li>
 * </ul>
 * Serialization is untouched.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        apply(mapper);
    }

    /** The same rules on any mapper (tests, tools). */
    @SuppressWarnings("deprecation")
    public static ObjectMapper apply(ObjectMapper mapper) {
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        SimpleModule module = new SimpleModule("continuum-strict-text");
        module.addDeserializer(String.class, new SafeText.Strings());
        module.addDeserializer(JsonNode.class, new SafeText.Trees<>(JsonNode.class));
        module.addDeserializer(ObjectNode.class, new SafeText.Trees<>(ObjectNode.class));
        module.addDeserializer(ArrayNode.class, new SafeText.Trees<>(ArrayNode.class));
        mapper.registerModule(module);
        return mapper;
    }
}
