package org.synesthesia.diffusion.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Conv;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Upsample2D;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/** Batch, per-row timesteps and latent sizes that are not multiples of 2^(levels-1), on the SD1 golden weights. */
class UNetShapesTest {
    static Tensor row(Tensor t, int n) {
        return t.slice(0, n, n + 1).contiguous();
    }

    @Test
    void perRowTimestepsMatchTheGoldenRows() throws Exception {
        String set = "unet_random_sd2";
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        try (WeightSource src = WeightSources.open(SharedData.golden(set, "weights_diffusers.safetensors"))) {
            UNet2DConditionModel unet = new UNet2DConditionModel(UNetParityTest.goldenConfig(set), UNet2DConditionModel.weights(src, -1));
            Tensor y = unet.forward(g.get("latents"), new float[] {981, 1}, g.get("encoder_hidden_states"), Tracer.NONE);
            Assert.close("row 0 at t=981", row(g.get("noise_pred.t981"), 0), row(y, 0), UNetParityTest.TOL);
            Assert.close("row 1 at t=1", row(g.get("noise_pred.t1"), 1), row(y, 1), UNetParityTest.TOL);
            // batch 1 gives the batch-2 row
            Tensor y1 = unet.forward(row(g.get("latents"), 1), 1, row(g.get("encoder_hidden_states"), 1), Tracer.NONE);
            Assert.close("batch 1", row(g.get("noise_pred.t1"), 1), y1, UNetParityTest.TOL);
        }
    }

    @Test
    void oddLatentSizesUpsampleToTheSkipSizes() throws Exception {
        String set = "unet_random_sd1";
        try (WeightSource src = WeightSources.open(SharedData.golden(set, "weights_ldm.safetensors"))) {
            UNet2DConditionModel unet = new UNet2DConditionModel(UNetParityTest.goldenConfig(set), UNet2DConditionModel.weights(src, -1));
            Random r = new Random(5);
            float[] x = new float[4 * 6 * 10], c = new float[7 * 64];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
            Tracer t = Tracer.of("up_blocks.*");
            Tensor y = unet.forward(Tensor.of(x, 1, 4, 6, 10), 500, Tensor.of(c, 1, 7, 64), t);
            assertArrayEquals(new int[] {1, 4, 6, 10}, y.shape());
            // 6x10 -> 3x5 -> 2x3 -> 1x2 down; up blocks return the sizes of the skips they feed
            assertArrayEquals(new int[] {1, 64, 2, 3}, t.captured().get("up_blocks.0").shape());
            assertArrayEquals(new int[] {1, 64, 3, 5}, t.captured().get("up_blocks.1").shape());
            assertArrayEquals(new int[] {1, 64, 6, 10}, t.captured().get("up_blocks.2").shape());
            for (float v : y.toArray()) if (!Float.isFinite(v)) throw new AssertionError("non-finite output");
            assertThrows(IllegalArgumentException.class, () -> unet.forward(Tensor.of(x, 1, 4, 6, 10), 500, Tensor.of(c, 1, 7 * 64 / 32, 32), Tracer.NONE));
        }
    }

    @Test
    void nearestToSizeMatchesTwiceOnDoubleSizes() {
        Random r = new Random(3);
        float[] x = new float[2 * 3 * 5 * 7];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        Tensor t = Tensor.of(x, 2, 3, 5, 7);
        Assert.close("nearest 2x", Conv.upsampleNearest2x(t), Upsample2D.nearest(t, 10, 14), 0);
        Tensor odd = Upsample2D.nearest(t, 9, 13); // PyTorch: src = floor(dst * 5/9), floor(dst * 7/13)
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 13; j++)
                if (odd.get(1, 2, i, j) != t.get(1, 2, (int) Math.floor(i * (5f / 9)), (int) Math.floor(j * (7f / 13))))
                    throw new AssertionError("nearest at " + i + "," + j);
    }
}
