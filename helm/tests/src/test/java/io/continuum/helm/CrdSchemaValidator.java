package io.continuum.helm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks an object against a CRD's {@code openAPIV3Schema} the way the API server treats a structural schema, plus
 * strictness: a field an object schema does not list is an error (the API server would silently prune it, i.e. the
 * setting would be lost). Supports type, properties, required, enum, items, additionalProperties,
 * x-kubernetes-preserve-unknown-fields and x-kubernetes-int-or-string.
 */
final class CrdSchemaValidator {

    private CrdSchemaValidator() {
    }

    static List<String> validate(Object value, Map<String, Object> schema) {
        List<String> errors = new ArrayList<>();
        check("", value, schema, errors);
        return errors;
    }

    @SuppressWarnings("unchecked")
    private static void check(String path, Object value, Map<String, Object> schema, List<String> errors) {
        if (value == null) {
            return;
        }
        if (Boolean.TRUE.equals(schema.get("x-kubernetes-int-or-string"))) {
            if (!(value instanceof String || value instanceof Integer || value instanceof Long)) {
                errors.add(path + ": want int or string, got " + value.getClass().getSimpleName());
            }
            return;
        }
        if (schema.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
            errors.add(path + ": " + value + " not one of " + allowed);
        }
        String type = (String) schema.get("type");
        if (type == null) {
            return;
        }
        switch (type) {
            case "string" -> expect(path, value instanceof String, "string", value, errors);
            case "integer" -> expect(path, value instanceof Integer || value instanceof Long, "integer", value, errors);
            case "number" -> expect(path, value instanceof Number, "number", value, errors);
            case "boolean" -> expect(path, value instanceof Boolean, "boolean", value, errors);
            case "array" -> {
                if (expect(path, value instanceof List, "array", value, errors) && schema.get("items") instanceof Map<?, ?> items) {
                    List<Object> list = (List<Object>) value;
                    for (int i = 0; i < list.size(); i++) {
                        check(path + "[" + i + "]", list.get(i), (Map<String, Object>) items, errors);
                    }
                }
            }
            case "object" -> {
                if (!expect(path, value instanceof Map, "object", value, errors)) {
                    return;
                }
                Map<String, Object> map = (Map<String, Object>) value;
                if (schema.get("required") instanceof List<?> required) {
                    for (Object r : required) {
                        if (!map.containsKey(r)) {
                            errors.add(path + ": missing required field " + r);
                        }
                    }
                }
                if (Boolean.TRUE.equals(schema.get("x-kubernetes-preserve-unknown-fields"))) {
                    return;
                }
                Map<String, Object> props = (Map<String, Object>) schema.get("properties");
                Object additional = schema.get("additionalProperties");
                for (Map.Entry<String, Object> e : map.entrySet()) {
                    String p = path + "." + e.getKey();
                    if (props != null && props.get(e.getKey()) instanceof Map<?, ?> sub) {
                        check(p, e.getValue(), (Map<String, Object>) sub, errors);
                    } else if (additional instanceof Map<?, ?> sub) {
                        check(p, e.getValue(), (Map<String, Object>) sub, errors);
                    } else {
                        errors.add(p + ": unknown field (the API server would prune it)");
                    }
                }
            }
            default -> errors.add(path + ": unsupported schema type " + type);
        }
    }

    private static boolean expect(String path, boolean ok, String want, Object value, List<String> errors) {
        if (!ok) {
            errors.add(path + ": want " + want + ", got " + value.getClass().getSimpleName() + " " + value);
        }
        return ok;
    }
}
