package io.continuum.helm;

import org.junit.jupiter.api.Test;

class RenderSmokeTest {
    @Test
    void renders() {
        System.out.println(Charts.render(Charts.Values.DEFAULT));
    }
}
