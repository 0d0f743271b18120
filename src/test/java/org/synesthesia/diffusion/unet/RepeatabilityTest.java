package org.synesthesia.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * The same input gives the same bits on every run in one JVM, before and after the kernels are JIT-compiled
 * (vector lane sums have a fixed order: {@code kernel.Lanes}).
 */
class RepeatabilityTest {
    @SuppressWarnings("unchecked")
    @Test
    void unetGivesTheSameBitsEveryRun() throws IOException {
        String set = "unet_random_sd1";
        Map<String, Object> gj = Json.parseObject(Files.readString(SharedData.golden(set, "golden.json")));
        UNetConfig c = UNetConfig.fromJson((Map<String, Object>) gj.get("config_args"));
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        try (WeightSource src = WeightSources.open(SharedData.golden(set, "weights_ldm.safetensors"))) {
            UNet2DConditionModel u = new UNet2DConditionModel(c, UNet2DConditionModel.weights(src, c.layersPerBlock()));
            float[] first = u.forward(g.get("latents"), 981, g.get("encoder_hidden_states"), Tracer.NONE).toArray();
            for (int run = 1; run < 8; run++)
                assertArrayEquals(first, u.forward(g.get("latents"), 981, g.get("encoder_hidden_states"), Tracer.NONE).toArray(), "run " + run);
        }
    }
}
