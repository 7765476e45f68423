package io.continuum.helm.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reads an OCI image tarball (oci-layout, index.json, blobs/sha256/...): manifest, config, layer listings. */
final class OciArchive {

    record Entry(String path, int mode, long uid) { }

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciArchive() {
    }

    static JsonNode manifest(Path tar) throws IOException {
        JsonNode index = JSON.readTree(read(tar, "index.json"));
        return JSON.readTree(blob(tar, index.get("manifests").get(0).get("digest").asText()));
    }

    static JsonNode config(Path tar) throws IOException {
        return JSON.readTree(blob(tar, manifest(tar).get("config").get("digest").asText()));
    }

    static List<List<Entry>> layers(Path tar) throws IOException {
        List<List<Entry>> out = new ArrayList<>();
        for (JsonNode layer : manifest(tar).get("layers")) {
            String name = "blobs/sha256/" + layer.get("digest").asText().substring("sha256:".length());
            try (TarArchiveInputStream outer = new TarArchiveInputStream(Files.newInputStream(tar))) {
                for (TarArchiveEntry e; (e = outer.getNextEntry()) != null; ) {
                    if (e.getName().equals(name)) {
                        out.add(list(outer, layer.get("mediaType").asText().endsWith("gzip")));
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** Unpacks the regular files of layer {@code index} under {@code dir} (paths as in the image). */
    static void extract(Path tar, int index, Path dir) throws IOException {
        JsonNode layer = manifest(tar).get("layers").get(index);
        byte[] blob = blob(tar, layer.get("digest").asText());
        InputStream raw = new java.io.ByteArrayInputStream(blob);
        TarArchiveInputStream in = new TarArchiveInputStream(
                layer.get("mediaType").asText().endsWith("gzip") ? new GZIPInputStream(raw) : raw);
        for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
            Path target = dir.resolve(e.getName().replaceFirst("^/", "")).normalize();
            if (!target.startsWith(dir) || !e.isFile()) {
                continue;
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target);
        }
    }

    private static List<Entry> list(InputStream layer, boolean gzip) throws IOException {
        List<Entry> entries = new ArrayList<>();
        TarArchiveInputStream in = new TarArchiveInputStream(gzip ? new GZIPInputStream(layer) : layer);
        for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
            entries.add(new Entry(e.getName().replaceFirst("^/", "").replaceFirst("/$", ""), e.getMode(), e.getLongUserId()));
        }
        return entries;
    }

    private static byte[] blob(Path tar, String digest) throws IOException {
        return read(tar, "blobs/sha256/" + digest.substring("sha256:".length()));
    }

    private static byte[] read(Path tar, String name) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().equals(name) || e.getName().equals("./" + name)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new IOException(name + " not in " + tar);
    }
}
