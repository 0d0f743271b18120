package org.synesthesia.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.synesthesia.tensor.Tensor;

/** The latent-to-RGB projection: shape, zero latents are mid grey, one channel maps through its column, clamped. */
class LatentPreviewTest {
    @Test
    void projectsEachLatentPixel() {
        // [2, 4, 1, 2]: image 0 pixel 0 = channel 0 at 1, pixel 1 = channel 3 at 10 (clamps); image 1 ignored
        float[] z = new float[16];
        z[0] = 1f;
        z[3 * 2 + 1] = 10f;
        for (int i = 8; i < 16; i++) z[i] = 99f;
        Tensor p = LatentPreview.project(Tensor.of(z, 2, 4, 1, 2));
        assertArrayEquals(new int[] {1, 3, 1, 2}, p.shape());
        float[] v = p.toArray();
        // pixel 0: (M[c][0] + 1) / 2; pixel 1: channel 3's weights are negative -> clamped to 0
        assertEquals((0.298f + 1f) / 2f, v[0], 1e-6f);
        assertEquals((0.207f + 1f) / 2f, v[2], 1e-6f);
        assertEquals((0.208f + 1f) / 2f, v[4], 1e-6f);
        assertEquals(0f, v[1]);
        assertEquals(0f, v[5]);
        assertEquals(0.5f, LatentPreview.project(Tensor.of(new float[4], 1, 4, 1, 1)).toArray()[1], 0f);
        assertThrows(IllegalArgumentException.class, () -> LatentPreview.project(Tensor.of(new float[3], 1, 3, 1, 1)));
    }
}
