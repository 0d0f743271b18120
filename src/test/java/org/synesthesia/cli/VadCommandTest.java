package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/** {@code synesthesia vad} on jfk.wav with the real Silero VAD: the golden's segments, as text and JSON; bad input. */
class VadCommandTest {
    static String model() {
        return SharedData.data("weights/silero-vad/silero_vad_v6_16k.safetensors").toString();
    }

    @Test
    @SuppressWarnings("unchecked")
    void jfkSegmentsAreTheReferences() {
        String wav = SharedData.data("speech/jfk/jfk.wav").toString();
        CliRun r = CliRun.of("vad", wav, "--model", model());
        assertEquals(0, r.rc(), r.err());
        assertEquals("0.322 2.270\n3.266 4.446\n5.378 7.678\n8.162 10.622\n", r.out().replace("\r", ""));
        CliRun j = CliRun.of("vad", wav, "--model", model(), "--json");
        assertEquals(0, j.rc(), j.err());
        Map<String, Object> o = Json.parseObject(j.out());
        assertEquals(344L, o.get("windows"));
        List<Object> segs = (List<Object>) o.get("segments");
        assertEquals(4, segs.size());
        assertEquals(5152L, ((Map<String, Object>) segs.get(0)).get("start"));
        assertEquals(169952L, ((Map<String, Object>) segs.get(3)).get("end"));
        // a 1 s maximum splits every segment over it
        CliRun m = CliRun.of("vad", wav, "--model", model(), "--max-speech-s", "1");
        assertEquals(0, m.rc(), m.err());
        assertTrue(m.out().lines().count() > 4, m.out());
    }

    @Test
    void pngDrawsTheCurve(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        String wav = SharedData.data("speech/jfk/jfk.wav").toString();
        java.nio.file.Path png = dir.resolve("vad.png");
        CliRun r = CliRun.of("vad", wav, "--model", model(), "--png", png.toString());
        assertEquals(0, r.rc(), r.err());
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(1200, img.getWidth());
        assertEquals(300, img.getHeight());
        // column at 1.0 s is inside the first segment (0.322..2.270): shaded; at 2.9 s it is not
        assertTrue(shaded(img, (int) (1.0 / 11.0 * 1200)) > 100);
        assertEquals(0, shaded(img, (int) (2.9 / 11.0 * 1200)));
    }

    static int shaded(java.awt.image.BufferedImage img, int x) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) if ((img.getRGB(x, y) & 0xFFFFFF) == 0xD2F5D2) n++;
        return n;
    }

    @Test
    void badInputIsOneLine() {
        String wav = SharedData.data("speech/jfk/jfk.wav").toString();
        CliRun t = CliRun.of("vad", wav, "--model", model(), "--threshold", "1.5");
        assertNotEquals(0, t.rc());
        assertTrue(t.err().contains("threshold"), t.err());
        assertEquals("", t.out());
        CliRun n = CliRun.of("vad", wav, "--model", "/nonexistent/vad.safetensors");
        assertNotEquals(0, n.rc());
        assertTrue(n.err().contains("/nonexistent/vad.safetensors"), n.err());
    }

    /** A NaN in the weights (issue 13 item 9, found by the fuzzer) is one line naming the stage, not NaN segments. */
    @Test
    void nanWeightsAreOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path bad = org.synesthesia.testing.PoisonedWeights.copyWithNaN(java.nio.file.Path.of(model()),
                dir.resolve("vad-nan.safetensors"), "decoder.decoder.2.bias");
        CliRun r = CliRun.of("vad", SharedData.data("speech/jfk/jfk.wav").toString(), "--model", bad.toString());
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("silero vad speech probabilities is not finite"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void benchRunsOnRandomWeights() {
        CliRun r = CliRun.of("bench", "vad", "--seconds", "0.1", "--json");
        assertEquals(0, r.rc(), r.err());
        assertTrue(((Number) Json.parseObject(r.out()).get("windows_per_second")).doubleValue() > 0, r.out());
    }
}
