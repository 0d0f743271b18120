package org.synesthesia.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;

/** The library call: two prompts through AudioLDM with the checkpoint's own CLAP, stages and steps reported in order. */
class TextToSoundTest {
    @Test
    void promptsToSoundsWithStagesAndSteps(@TempDir Path dir) throws Exception {
        Map<String, Tensor> w = new java.util.LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("audioldm_random", "weights.safetensors")));
        w.put("scale_factor", SafeTensors.readAll(SharedData.golden("audioldm_random", "buffers.safetensors")).get("scale_factor"));
        w.putAll(SafeTensors.readAll(SharedData.golden("clap_text_random", "weights.safetensors")));
        Path model = dir.resolve("audioldm.safetensors");
        SafeTensors.write(model, w, Map.of());
        List<String> events = new ArrayList<>();
        PipelineListener l = new PipelineListener() {
            @Override public void stageStarted(Stage stage) { events.add("start " + stage); }
            @Override public void stageFinished(Stage stage, double seconds) { events.add("end " + stage); }
            @Override public void step(int step, int total, double seconds, Tensor preview) { events.add("step " + step + "/" + total); }
        };
        TextToSound job = new TextToSound("test", l);
        SoundSettings s = new SoundSettings("", 2.5, 2, 2.5, 0.0, 3);
        List<SoundJob.Result> r = job.generate(model, null, org.synesthesia.clap.RobertaTokenizer.fromFolder(SharedData.data("tokenizers/roberta-base")), List.of("thunder", "birdsong"), s);
        assertEquals(2, r.size());
        assertEquals(List.of("start LOAD_AUDIOLDM", "end LOAD_AUDIOLDM",
                "start TEXT_ENCODE", "end TEXT_ENCODE", "start DENOISE", "step 1/2", "step 2/2", "end DENOISE", "start VOCODE", "end VOCODE",
                "start TEXT_ENCODE", "end TEXT_ENCODE", "start DENOISE", "step 1/2", "step 2/2", "end DENOISE", "start VOCODE", "end VOCODE"), events);
        for (SoundJob.Result x : r) {
            assertEquals(40_000, x.audio().length());
            assertEquals(16_000, x.audio().sampleRate());
            assertTrue(x.parameters().contains("Seed: 3") && x.parameters().contains("Duration: 2.5 s"), x.parameters());
        }
        // same seed and noise, different prompts: different sounds
        assertTrue(org.synesthesia.testing.Assert.maxAbsDiff(r.get(0).audio().samples(), r.get(1).audio().samples()) > 0);
        Path out = dir.resolve("thunder.wav");
        job.write(r.get(0), out);
        assertTrue(java.nio.file.Files.readString(SoundJob.sidecar(out)).startsWith("thunder\nNegative prompt: \n"));
    }
}
