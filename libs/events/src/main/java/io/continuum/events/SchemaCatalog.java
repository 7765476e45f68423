package io.continuum.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The compiled JSON Schema of every registered event type. Loaded eagerly so a type without a
 * schema fails at start-up, not on the first publish. Compiled schemas are immutable, hence the
 * catalog is safe to share between threads.
 */
final class SchemaCatalog {

    private final Map<String, Schema> byType = new HashMap<>();

    SchemaCatalog(List<EventType<?>> types) {
        // Draft 2020-12 treats "format" as an annotation only; we want date-time etc. enforced.
        // Locale.ROOT keeps violation messages in English whatever the host's locale.
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .locale(Locale.ROOT)
                .build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(config));
        for (EventType<?> type : types) {
            byType.put(type.type(), load(registry, type));
        }
    }

    /** Violations of {@code data} against {@code type}'s schema, each as {@code data.<path>: <reason>}. */
    List<String> validate(EventType<?> type, JsonNode data) {
        Schema schema = byType.get(type.type());
        if (schema == null) {
            throw new IllegalStateException("no schema loaded for " + type.type());
        }
        return schema.validate(data).stream().map(SchemaCatalog::describe).toList();
    }

    private static Schema load(SchemaRegistry registry, EventType<?> type) {
        try (InputStream in = EventType.class.getResourceAsStream(type.schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("missing JSON Schema " + type.schemaResource() + " for " + type.type());
            }
            return registry.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.schemaResource(), e);
        }
    }

    private static String describe(Error error) {
        String path = "data" + dotted(error.getInstanceLocation().toString());
        // A missing property is reported at its parent; name the property itself.
        if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
            path = path + "." + error.getProperty();
        }
        return path + ": " + error.getMessage();
    }

    /** JSON Pointer ({@code /items/0/id}, the validator's default) to {@code .items[0].id}, as developers read it. */
    private static String dotted(String pointer) {
        StringBuilder out = new StringBuilder();
        for (String segment : pointer.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            String name = segment.replace("~1", "/").replace("~0", "~");
            out.append(name.chars().allMatch(Character::isDigit) ? "[" + name + "]" : "." + name);
        }
        return out.toString();
    }
}
