package org.synesthesia.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.Quantize;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@link ConvTranspose1d} bound through {@link Weights} from F32, F16 and Q8_0 tensors against a plain loop over the
 * dequantised weights: HiFi-GAN's upsampling shapes, odd channel counts and lengths, groups, dilation, output padding.
 */
class ConvTranspose1dTest {
    static final double TOL = 2e-5;

    /** {in, out, k, stride, pad, outPad, dilation, groups, N, L}. */
    static final int[][] CASES = {
            {9, 4, 16, 8, 4, 0, 1, 1, 1, 13},    // HiFi-GAN V1 ups.0 shape (k16 s8 p4), channels / 64
            {7, 6, 16, 8, 0, 0, 1, 1, 2, 5},     // k16 s8, no padding
            {5, 8, 4, 2, 1, 0, 1, 1, 1, 21},     // HiFi-GAN last stages (k4 s2 p1)
            {6, 9, 5, 3, 2, 2, 2, 3, 1, 11},     // groups, dilation, output padding
            {3, 5, 7, 1, 0, 0, 1, 1, 2, 1},      // one input step
            {4, 3, 3, 2, 1, 1, 1, 1, 1, 7},      // output padding
    };

    @Test
    void matchesAPlainLoopForEachStoredType() {
        Random r = new Random(7);
        for (int[] c : CASES) {
            int in = c[0], out = c[1], k = c[2], groups = c[7], N = c[8], L = c[9], cols = out / groups * k;
            float[] w = Reference.random(r, in * cols, 0.5), b = Reference.random(r, out, 0.1), x = Reference.random(r, N * in * L, 1);
            Tensor xt = Tensor.of(x, N, in, L);
            for (DType type : new DType[] {DType.F32, DType.F16, DType.Q8_0}) {
                if (type == DType.Q8_0 && cols % 32 != 0) continue;
                String what = type + " " + Arrays.toString(c);
                Weights ws = Weights.of("toy", source(type, w, b, in, out / groups, k, out), Map.of("up.weight", "up.weight", "up.bias", "up.bias"), "test names");
                ConvTranspose1d conv = ConvTranspose1d.bind(ws, "up", in, out, k, c[3], c[4], c[5], c[6], groups, true);
                assertEquals(type, conv.weight().dtype(), what);
                assertEquals(in, conv.inChannels());
                assertEquals(out, conv.outChannels());
                Tracer tracer = Tracer.of("up");
                Tensor y = conv.forward(xt, tracer);
                int lo = (L - 1) * c[3] - 2 * c[4] + c[6] * (k - 1) + c[5] + 1;
                assertArrayEquals(new int[] {N, out, lo}, y.shape(), what);
                assertEquals(lo, conv.outputLength(L));
                float[] expected = plain(x, N, in, L, conv.weight().toFloats(), out, k, b, c[3], c[4], c[5], c[6], groups);
                Assert.close(what, expected, y.toArray(), TOL, TOL);
                assertArrayEquals(y.toArray(), tracer.captured().get("up").toArray(), 0f, what + " captured");
                ConvTranspose1d noBias = ConvTranspose1d.bind(ws, "up", in, out, k, c[3], c[4], c[5], c[6], groups, false);
                assertNull(noBias.bias());
                Assert.close(what + " no bias", plain(x, N, in, L, conv.weight().toFloats(), out, k, null, c[3], c[4], c[5], c[6], groups),
                        noBias.forward(xt).toArray(), TOL, TOL);
            }
        }
    }

    @Test
    void wrongShapesFailWithOneLine() {
        Random r = new Random(8);
        float[] w = Reference.random(r, 5 * 4 * 3, 1), b = Reference.random(r, 4, 1);
        Weights ws = Weights.of("toy", source(DType.F32, w, b, 5, 4, 3, 4), Map.of("up.weight", "up.weight", "up.bias", "up.bias"), "test names");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ConvTranspose1d.bind(ws, "up", 4, 5, 3, 2, 1));
        assertTrue(e.getMessage().contains("up.weight") && e.getMessage().contains("[5, 4, 3]"), e.getMessage());
        ConvTranspose1d conv = ConvTranspose1d.bind(ws, "up", 5, 4, 3, 2, 1);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.of(new float[4 * 7], 1, 4, 7)));
        assertTrue(bad.getMessage().startsWith("up: input has shape [1, 4, 7]"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConvTranspose1d.bind(ws, "up", 5, 4, 3, 2, 1, 2, 1, 1, true));
    }

    /** y[n, g*og + o, t*stride - pad + p*dil] += x[n, c, t] w[c, o, p] for input channel c of group g, in double. */
    static float[] plain(float[] x, int N, int in, int L, float[] w, int out, int k, float[] b, int stride, int pad, int outPad, int dil, int groups) {
        int og = out / groups, ig = in / groups;
        int lo = (L - 1) * stride - 2 * pad + dil * (k - 1) + outPad + 1;
        double[] y = new double[N * out * lo];
        for (int n = 0; n < N; n++)
            for (int o = 0; o < out; o++)
                for (int t = 0; t < lo; t++) y[(n * out + o) * lo + t] = b == null ? 0 : b[o];
        for (int n = 0; n < N; n++)
            for (int c = 0; c < in; c++)
                for (int o = 0; o < og; o++)
                    for (int t = 0; t < L; t++)
                        for (int p = 0; p < k; p++) {
                            int to = t * stride - pad + p * dil;
                            if (to >= 0 && to < lo)
                                y[(n * out + c / ig * og + o) * lo + to] += (double) x[(n * in + c) * L + t] * w[(c * og + o) * k + p];
                        }
        float[] f = new float[y.length];
        for (int i = 0; i < y.length; i++) f[i] = (float) y[i];
        return f;
    }

    /** A checkpoint of {@code up.weight} [in, og, k] in {@code type} and {@code up.bias} [out] in F32. */
    static WeightSource source(DType type, float[] w, float[] b, int in, int og, int k, int out) {
        byte[] bytes = switch (type) {
            case F32 -> Quantize.toF32(w);
            case F16 -> Quantize.toF16(w);
            case Q8_0 -> Quantize.toQ8_0(w);
            default -> throw new IllegalArgumentException(type.toString());
        };
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        tensors.put("up.weight", new StoredTensor("up.weight", type, new long[] {in, og, k}, MemorySegment.ofArray(bytes), "mem.gguf"));
        tensors.put("up.bias", new StoredTensor("up.bias", DType.F32, new long[] {out}, MemorySegment.ofArray(Quantize.toF32(b)), "mem.gguf"));
        return new WeightSource() {
            public String description() { return "mem.gguf"; }
            public String format() { return "memory"; }
            public Collection<String> names() { return tensors.keySet(); }
            public Optional<StoredTensor> find(String name) { return Optional.ofNullable(tensors.get(name)); }
            public Map<String, String> metadata() { return Map.of(); }
            public void close() {}
        };
    }
}
