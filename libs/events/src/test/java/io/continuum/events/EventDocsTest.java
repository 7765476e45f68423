package io.continuum.events;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The human (docs/events.md) and AsyncAPI (docs/asyncapi.yaml) views list every registered type and topic. */
class EventDocsTest {

    // Surefire runs with the module directory as working directory: libs/events -> repo root.
    private static final Path DOCS = Path.of("../../docs");

    @Test
    void eventsMarkdownMentionsEveryTypeAndTopic() throws Exception {
        String md = Files.readString(DOCS.resolve("events.md"));
        assertThat(EventTypes.all()).allSatisfy(t -> assertThat(md).contains("`" + t.type() + "`"));
        assertThat(Topics.all()).allSatisfy(topic -> assertThat(md).contains("`" + topic + "`"));
    }

    @Test
    void asyncApiHasAChannelPerTopicAndAMessagePerTypeReferencingItsSchema() throws Exception {
        String yaml = Files.readString(DOCS.resolve("asyncapi.yaml"));
        assertThat(Topics.all()).allSatisfy(topic -> assertThat(yaml).contains("address: " + topic + "\n"));
        assertThat(EventTypes.all()).allSatisfy(t -> {
            assertThat(yaml).contains("name: " + t.type() + "\n");
            String ref = "../libs/events/src/main/resources" + t.schemaResource();
            assertThat(yaml).contains("$ref: '" + ref + "'");
            assertThat(DOCS.resolve(ref)).exists();
        });
    }
}
