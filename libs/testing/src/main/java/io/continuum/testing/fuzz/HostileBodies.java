package io.continuum.testing.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hostile variants of one valid JSON object body, by class: broken structure, more than one value, duplicate members,
 * wrong types in every member, characters a database cannot store (U+0000, controls, unpaired surrogates, invalid
 * UTF-8), extreme sizes and nesting, wrong content types; plus seeded random mutations (the same seed gives the same
 * requests, so a failure can be replayed). Used by every service's fuzz test.
 */
public final class HostileBodies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUNCTUATION = "\"\\/'<>&%";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Strings that break naive code: NUL, controls, lone surrogates, bidi override, quotes, huge, blank. */
    private static final List<String> NASTY_STRINGS = List.of(
            "a\u0000b", "\u0000", "x\u001b[31mred", "line\u0007bell", "\ud800", "\udc00x", "\u202eevil", "\u0085",
            "", " ", "\t", "'\"\\", "😀", "%00", "../../etc/passwd", "<script>alert(1)</script>", "a".repeat(10_000));

    private HostileBodies() {
    }

    /** The fixed classes of hostility for {@code validJson} (an object), then {@code randomMutations} seeded ones. */
    public static List<HostileRequest> of(String validJson, long seed, int randomMutations) {
        ObjectNode valid;
        try {
            valid = (ObjectNode) JSON.readTree(validJson);
        } catch (Exception e) {
            throw new IllegalArgumentException("the template must be a JSON object: " + validJson, e);
        }
        String canonical = valid.toString();
        List<HostileRequest> out = new ArrayList<>();
        // structure: nothing, not an object, not JSON, not one value
        out.add(new HostileRequest("empty body", "application/json", new byte[0]));
        for (String s : List.of("null", "[]", "\"text\"", "42", "true", "{", "}", "{\"a\":}", "{'a':1}", "{\"a\":1,}",
                "/* comment */ {}", "{\"a\":NaN}", "{\"a\":01}", "[" + canonical + "]")) {
            out.add(HostileRequest.json("not an object: " + s, s));
        }
        out.add(HostileRequest.json("trailing garbage", canonical + " garbage"));
        out.add(HostileRequest.json("two values", canonical + canonical));
        out.add(HostileRequest.json("trailing bracket", canonical + "}"));
        // duplicate members
        Iterator<String> names = valid.fieldNames();
        if (names.hasNext()) {
            String first = names.next();
            out.add(HostileRequest.json("duplicate member " + first,
                    "{\"" + first + "\":" + valid.get(first) + "," + canonical.substring(1)));
        }
        // nesting and size
        out.add(HostileRequest.json("array nested 5000 deep", "[".repeat(5000) + "]".repeat(5000)));
        out.add(HostileRequest.json("object nested 3000 deep", "{\"a\":".repeat(3000) + "1" + "}".repeat(3000)));
        out.add(HostileRequest.json("number of 5000 digits", "{\"n\":" + "9".repeat(5000) + "}"));
        ObjectNode wide = valid.deepCopy();
        for (int i = 0; i < 5000; i++) {
            wide.put("extra" + i, i);
        }
        out.add(HostileRequest.json("5000 unknown members", wide.toString()));
        // every member, one level deep (and the first element of arrays), replaced by each wrong value
        for (String path : paths(valid)) {
            for (Map.Entry<String, JsonNode> replacement : replacements(valueAt(valid, path)).entrySet()) {
                ObjectNode copy = valid.deepCopy();
                set(copy, path, replacement.getValue());
                out.add(HostileRequest.json(path + " = " + replacement.getKey(), copy.toString()));
            }
            ObjectNode removed = valid.deepCopy();
            remove(removed, path);
            out.add(HostileRequest.json(path + " missing", removed.toString()));
        }
        // member names and raw bytes
        ObjectNode badName = valid.deepCopy();
        badName.put("na\u0000me", 1);
        out.add(HostileRequest.json("NUL in a member name", badName.toString()));
        out.add(withInvalidUtf8(canonical));
        // content types
        byte[] raw = canonical.getBytes(StandardCharsets.UTF_8);
        out.add(new HostileRequest("valid JSON as text/plain", "text/plain", raw));
        out.add(new HostileRequest("valid JSON as application/xml", "application/xml", raw));
        out.add(new HostileRequest("valid JSON as form", "application/x-www-form-urlencoded", raw));
        out.add(new HostileRequest("valid JSON without content type", null, raw));
        out.add(new HostileRequest("valid JSON, garbage content type", "garbage", raw));
        // seeded random mutations
        Random random = new Random(seed);
        List<String> paths = paths(valid);
        for (int i = 0; i < randomMutations && !paths.isEmpty(); i++) {
            ObjectNode copy = valid.deepCopy();
            int changes = 1 + random.nextInt(3);
            StringBuilder name = new StringBuilder("random #" + i + " (seed " + seed + "):");
            for (int c = 0; c < changes; c++) {
                String path = paths.get(random.nextInt(paths.size()));
                JsonNode value = randomValue(random, 3);
                set(copy, path, value);
                name.append(' ').append(path);
            }
            out.add(HostileRequest.json(name.toString(), copy.toString()));
        }
        return out;
    }

    /** Paths "a" and "a.b" / "a[0]" of the template's members (objects one level deep, first array element). */
    static List<String> paths(ObjectNode node) {
        List<String> paths = new ArrayList<>();
        node.fieldNames().forEachRemaining(name -> {
            paths.add(name);
            JsonNode child = node.get(name);
            if (child.isObject()) {
                child.fieldNames().forEachRemaining(inner -> paths.add(name + "." + inner));
            } else if (child.isArray() && !child.isEmpty()) {
                paths.add(name + "[0]");
                if (child.get(0).isObject()) {
                    child.get(0).fieldNames().forEachRemaining(inner -> paths.add(name + "[0]." + inner));
                }
            }
        });
        return paths;
    }

    private static Map<String, JsonNode> replacements(JsonNode original) {
        Map<String, JsonNode> r = new java.util.LinkedHashMap<>();
        r.put("null", F.nullNode());
        r.put("number 12345", F.numberNode(12345));
        r.put("true", F.booleanNode(true));
        r.put("\"5\"", F.textNode("5"));
        r.put("1.5", F.numberNode(1.5));
        r.put("-1", F.numberNode(-1));
        r.put("2^63", F.numberNode(new java.math.BigInteger("9223372036854775808")));
        r.put("1e309", F.numberNode(new java.math.BigDecimal("1e309")));
        r.put("{}", F.objectNode());
        r.put("[]", F.arrayNode());
        for (String s : NASTY_STRINGS) {
            r.put("string " + describe(s), F.textNode(s));
        }
        if (original != null && original.isTextual()) {
            r.put("original + NUL", F.textNode(original.textValue() + "\u0000"));
            r.put("original + ESC", F.textNode(original.textValue() + "\u001b"));
        }
        return r;
    }

    private static String describe(String s) {
        if (s.length() > 20) {
            return "of " + s.length() + " chars";
        }
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> b.append(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff)
                ? String.format("\\u%04x", cp) : new String(Character.toChars(cp))));
        return b.append('"').toString();
    }

    private static JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 8 : 6);
        switch (kind) {
            case 0:
                return F.nullNode();
            case 1:
                return F.booleanNode(random.nextBoolean());
            case 2:
                return F.numberNode(random.nextBoolean() ? random.nextLong() : random.nextInt(10) - 3);
            case 3:
                return F.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            case 4:
                return F.textNode(NASTY_STRINGS.get(random.nextInt(NASTY_STRINGS.size())));
            case 5:
                return F.textNode(randomString(random));
            case 6: {
                ArrayNode a = F.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomValue(random, depth - 1));
                }
                return a;
            }
            default: {
                ObjectNode o = F.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(randomString(random), randomValue(random, depth - 1));
                }
                return o;
            }
        }
    }

    private static String randomString(Random random) {
        int length = random.nextInt(12);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int pick = random.nextInt(10);
            char c = switch (pick) {
                case 0 -> (char) random.nextInt(0x20);             // C0 control, NUL included
                case 1 -> (char) (0xd800 + random.nextInt(0x800));   // a surrogate, most likely unpaired
                case 2 -> (char) (0x7f + random.nextInt(0x21));      // DEL and C1
                case 3 -> PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length()));
                default -> (char) ('a' + random.nextInt(26));
            };
            b.append(c);
        }
        return b.toString();
    }

    private static HostileRequest withInvalidUtf8(String canonical) {
        byte[] head = "{\"bad\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE};
        byte[] tail = ("\"," + canonical.substring(1)).getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        System.arraycopy(tail, 0, all, head.length + bad.length, tail.length);
        return new HostileRequest("invalid UTF-8", "application/json", all);
    }

    private static JsonNode valueAt(ObjectNode root, String path) {
        JsonNode node = root;
        for (String part : split(path)) {
            node = part.matches("\\d+") ? node.path(Integer.parseInt(part)) : node.path(part);
        }
        return node.isMissingNode() ? null : node;
    }

    private static void set(ObjectNode root, String path, JsonNode value) {
        List<String> parts = split(path);
        JsonNode parent = root;
        for (String part : parts.subList(0, parts.size() - 1)) {
            parent = part.matches("\\d+") ? parent.path(Integer.parseInt(part)) : parent.path(part);
        }
        String last = parts.get(parts.size() - 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a && last.matches("\\d+") && Integer.parseInt(last) < a.size()) {
            a.set(Integer.parseInt(last), value);
        }
    }

    private static void remove(ObjectNode root, String path) {
        List<String> parts = split(path);
        JsonNode parent = root;
        for (String part : parts.subList(0, parts.size() - 1)) {
            parent = part.matches("\\d+") ? parent.path(Integer.parseInt(part)) : parent.path(part);
        }
        String last = parts.get(parts.size() - 1);
        if (parent instanceof ObjectNode o) {
            o.remove(last);
        } else if (parent instanceof ArrayNode a && last.matches("\\d+") && Integer.parseInt(last) < a.size()) {
            a.remove(Integer.parseInt(last));
        }
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.replace("[", ".").replace("]", "").split("\\.")) {
            if (!p.isEmpty()) {
                parts.add(p);
            }
        }
        return parts;
    }
}
