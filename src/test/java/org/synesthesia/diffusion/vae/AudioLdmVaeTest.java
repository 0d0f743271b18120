package org.synesthesia.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/**
 * AudioLDM's mel VAE (LDM names under {@code first_stage_model.}: 8 latent channels, one mel channel, widths
 * [32, 64, 128]) is an AutoencoderKL: its decoder on the golden latent gives the golden log-mel
 * [1, 1, 256 frames, 64 bins]; {@code decode_first_stage} divides by the scale factor first.
 */
class AudioLdmVaeTest {
    static final String SET = "audioldm_random";
    /** The reference's own fp32 vs fp64 difference is 9.1e-6 (golden.json) on outputs up to 2.2; ours measures 1.05e-5. */
    static final double TOL = 2e-5;

    @Test
    void decoderGivesTheGoldenMel() {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        Map<String, Tensor> buffers = SafeTensors.readAll(SharedData.golden(SET, "buffers.safetensors"));
        try (WeightSource src = WeightSources.open(SharedData.golden(SET, "weights.safetensors"));
             AutoencoderKL vae = AutoencoderKL.load(src, null, false)) {
            VaeConfig c = vae.config();
            assertEquals(8, c.latentChannels());
            assertArrayEquals(new int[] {32, 64, 128}, c.blockOutChannels());
            Tensor mel = vae.decode(g.get("in.vae_z"));
            assertArrayEquals(new int[] {1, 1, 256, 64}, mel.shape());
            Assert.close("vae.decode", g.get("vae.decode"), mel, TOL);
            float scale = buffers.get("scale_factor").toArray()[0];
            Tensor z = g.get("in.vae_z");
            float[] zs = z.toArray().clone();
            for (int i = 0; i < zs.length; i++) zs[i] /= scale;
            Assert.close("ldm.decode_first_stage", g.get("ldm.decode_first_stage"), vae.decode(Tensor.of(zs, z.shape())), TOL);
        }
    }
}
