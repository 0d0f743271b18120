package org.synesthesia.vocoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.tensor.Tensor;

/** {@link LeakyRelu} against {@code v >= 0 ? v : slope * v}, bit for bit, on random and special values. */
class LeakyReluTest {
    @Test
    void matchesDefinitionBitForBit() {
        Random r = new Random(3);
        float[] x = new float[4099];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
        float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE};
        System.arraycopy(specials, 0, x, 0, specials.length);
        for (float slope : new float[] {0.1f, 0.01f, 0.2f, 1.5f, 0f, -0.3f}) {
            float[] y = LeakyRelu.apply(Tensor.of(x.clone(), 1, 1, x.length), slope).toArray();
            for (int i = 0; i < x.length; i++) {
                float v = x[i], e = v >= 0 ? v : slope * v;
                assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(y[i]), "slope " + slope + " at " + v);
            }
        }
    }
}
