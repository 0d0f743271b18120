package org.synesthesia.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/** The UNet against diffusers' outputs and forward-hook intermediates on the tiny random SD1/SD2 goldens. */
class UNetParityTest {
    static final double TOL = 2e-4;

    @SuppressWarnings("unchecked")
    static UNetConfig goldenConfig(String set) throws IOException {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden(set, "golden.json")));
        return UNetConfig.fromJson((Map<String, Object>) g.get("config_args"));
    }

    /**
     * The final outputs and everything up to the deepest down level are held to 2e-4 (observed: <= 1e-5 there,
     * <= 7e-5 on noise_pred). From the mid block on, activations pass GroupNorms over 2 channels x 1 pixel (64
     * channels / 32 groups at 1x1 in this tiny model), which amplify rounding-level differences: on SD2, +-1 ulp of
     * noise on the golden's own down_blocks.3 moves our mid_block output by 1.3e-5, and the mid block run on that
     * golden input differs from the golden mid_block by 6.8e-5 (SD1: 9e-7). Observed in the full run: up to 4.7e-4
     * on SD2's mid_block, 2.8e-4 on conv_norm_out (|ref| up to 4.2), back to 7e-5 after conv_out. Held to 1e-3.
     */
    static double tolerance(String module) {
        boolean deep = module.startsWith("mid_block") || module.startsWith("up_blocks") || module.equals("conv_norm_out");
        return deep ? 1e-3 : TOL;
    }

    @ParameterizedTest
    @CsvSource({"unet_random_sd1, weights_diffusers.safetensors", "unet_random_sd1, weights_ldm.safetensors",
            "unet_random_sd2, weights_diffusers.safetensors", "unet_random_sd2, weights_ldm.safetensors"})
    void noisePredictionsAndIntermediates(String set, String weightsFile) throws IOException {
        UNetConfig config = goldenConfig(set);
        Map<String, Tensor> golden = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        Map<String, Tensor> inter = SafeTensors.readAll(SharedData.golden(set, "intermediates_t981.safetensors"));
        try (WeightSource src = WeightSources.open(SharedData.golden(set, weightsFile))) {
            Weights w = UNet2DConditionModel.weights(src, -1);
            assertEquals(weightsFile.contains("ldm") ? "LDM names" : "diffusers names", w.layout());
            UNet2DConditionModel unet = new UNet2DConditionModel(config, w);
            Tensor latents = golden.get("latents"), text = golden.get("encoder_hidden_states");

            Tracer tracer = Tracer.of("**");
            Tensor y981 = unet.forward(latents, 981, text, tracer);
            Assert.close(set + " noise_pred.t981", golden.get("noise_pred.t981"), y981, TOL);
            Map<String, Tensor> taps = tracer.captured();
            for (var e : inter.entrySet()) {
                assertTrue(taps.containsKey(e.getKey()), "no capture " + e.getKey());
                Assert.close(set + " " + e.getKey(), e.getValue(), taps.get(e.getKey()), tolerance(e.getKey()));
            }
            Tensor y1 = unet.forward(latents, 1, text, Tracer.NONE);
            Assert.close(set + " noise_pred.t1", golden.get("noise_pred.t1"), y1, TOL);
        }
    }
}
