package org.synesthesia.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;

/**
 * A 4-level VAE (SD's structure at reduced width) with random weights, written once under diffusers names and once
 * under LDM names (generated here from the LDM layout itself): both load with the same inferred config and give
 * bit-identical results, so the level reversal {@code up.k <-> up_blocks.(L-1-k)} holds beyond two levels.
 */
class VaeLdmLevelsTest {
    @TempDir
    Path dir;

    private final Random rnd = new Random(11);
    private final Map<String, Tensor> dif = new LinkedHashMap<>(), ldm = new LinkedHashMap<>();

    private void put(String diffusersName, String ldmName, int... shape) {
        float[] v = new float[(int) Tensor.numel(shape)];
        float scale = shape.length == 1 ? 0.1f : (float) (1 / Math.sqrt(v.length / shape[0]));
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * scale + (shape.length == 1 && diffusersName.contains("norm") && diffusersName.endsWith("weight") ? 1 : 0);
        Tensor t = Tensor.of(v, shape);
        dif.put(diffusersName, t);
        // LDM attention projections are 1x1 convolutions
        ldm.put(ldmName, shape.length == 2 ? Tensor.of(v, shape[0], shape[1], 1, 1) : t);
    }

    private void conv(String d, String l, int in, int out, int k) {
        put(d + ".weight", l + ".weight", out, in, k, k);
        put(d + ".bias", l + ".bias", out);
    }

    private void norm(String d, String l, int c) {
        put(d + ".weight", l + ".weight", c);
        put(d + ".bias", l + ".bias", c);
    }

    private void resnet(String d, String l, int in, int out) {
        norm(d + ".norm1", l + ".norm1", in);
        conv(d + ".conv1", l + ".conv1", in, out, 3);
        norm(d + ".norm2", l + ".norm2", out);
        conv(d + ".conv2", l + ".conv2", out, out, 3);
        if (in != out) conv(d + ".conv_shortcut", l + ".nin_shortcut", in, out, 1);
    }

    private void mid(String d, String l, int c) {
        resnet(d + ".resnets.0", l + ".block_1", c, c);
        norm(d + ".attentions.0.group_norm", l + ".attn_1.norm", c);
        for (String[] p : new String[][] {{"to_q", "q"}, {"to_k", "k"}, {"to_v", "v"}, {"to_out.0", "proj_out"}}) {
            put(d + ".attentions.0." + p[0] + ".weight", l + ".attn_1." + p[1] + ".weight", c, c);
            put(d + ".attentions.0." + p[0] + ".bias", l + ".attn_1." + p[1] + ".bias", c);
        }
        resnet(d + ".resnets.1", l + ".block_2", c, c);
    }

    @Test
    void fourLevels() throws Exception {
        int[] w = {32, 32, 64, 64};
        int L = 4, layers = 2, latent = 4;
        String P = "first_stage_model.";
        conv("encoder.conv_in", P + "encoder.conv_in", 3, w[0], 3);
        int prev = w[0];
        for (int i = 0; i < L; i++) {
            for (int j = 0; j < layers; j++) resnet("encoder.down_blocks." + i + ".resnets." + j, P + "encoder.down." + i + ".block." + j, j == 0 ? prev : w[i], w[i]);
            if (i < L - 1) conv("encoder.down_blocks." + i + ".downsamplers.0.conv", P + "encoder.down." + i + ".downsample.conv", w[i], w[i], 3);
            prev = w[i];
        }
        mid("encoder.mid_block", P + "encoder.mid", w[L - 1]);
        norm("encoder.conv_norm_out", P + "encoder.norm_out", w[L - 1]);
        conv("encoder.conv_out", P + "encoder.conv_out", w[L - 1], 2 * latent, 3);
        conv("quant_conv", P + "quant_conv", 2 * latent, 2 * latent, 1);
        conv("post_quant_conv", P + "post_quant_conv", latent, latent, 1);
        conv("decoder.conv_in", P + "decoder.conv_in", latent, w[L - 1], 3);
        mid("decoder.mid_block", P + "decoder.mid", w[L - 1]);
        prev = w[L - 1];
        for (int i = 0; i < L; i++) {
            int k = L - 1 - i, out = w[k];
            for (int j = 0; j <= layers; j++) resnet("decoder.up_blocks." + i + ".resnets." + j, P + "decoder.up." + k + ".block." + j, j == 0 ? prev : out, out);
            if (i < L - 1) conv("decoder.up_blocks." + i + ".upsamplers.0.conv", P + "decoder.up." + k + ".upsample.conv", out, out, 3);
            prev = out;
        }
        norm("decoder.conv_norm_out", P + "decoder.norm_out", w[0]);
        conv("decoder.conv_out", P + "decoder.conv_out", w[0], 3, 3);
        // a full SD checkpoint also holds the UNet: it must be ignored
        ldm.put("model.diffusion_model.input_blocks.0.0.weight", Tensor.zeros(8, 4, 3, 3));

        Path fd = dir.resolve("dif.safetensors"), fl = dir.resolve("ldm.safetensors");
        SafeTensors.write(fd, dif, Map.of());
        SafeTensors.write(fl, ldm, Map.of());
        float[] z = new float[latent * 2 * 3];
        for (int i = 0; i < z.length; i++) z[i] = (float) rnd.nextGaussian();
        float[] x = new float[3 * 16 * 24];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
        try (AutoencoderKL a = AutoencoderKL.load(fd); AutoencoderKL b = AutoencoderKL.load(fl)) {
            assertArrayEquals(w, a.config().blockOutChannels());
            assertEquals(layers, a.config().layersPerBlock());
            assertEquals(a.config(), b.config());
            Tensor ya = a.decode(Tensor.of(z, 1, latent, 2, 3)), yb = b.decode(Tensor.of(z, 1, latent, 2, 3));
            assertArrayEquals(new int[] {1, 3, 16, 24}, ya.shape());
            Assert.close("decode", ya.toArray(), yb.toArray(), 0, 0);
            DiagonalGaussian ea = a.encode(Tensor.of(x, 1, 3, 16, 24)), eb = b.encode(Tensor.of(x, 1, 3, 16, 24));
            assertArrayEquals(new int[] {1, latent, 2, 3}, ea.mean().shape());
            Assert.close("encode", ea.moments().toArray(), eb.moments().toArray(), 0, 0);
        }
    }
}
