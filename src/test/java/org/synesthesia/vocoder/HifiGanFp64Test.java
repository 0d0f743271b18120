package org.synesthesia.vocoder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/**
 * The real V2 LJSpeech generator in fp32 (ours) against the same network in fp64 (plain loops over the same folded
 * fp32 weights, as the golden's fp64 run): our rounding error is of the size of the reference's own (1.885e-5).
 */
class HifiGanFp64Test {
    /** The golden's fp32-vs-fp64 difference of the reference, rounded up. */
    static final double FP64_TOL = 1.9e-5;

    @Test
    @Tag("slow")
    void fp32OutputIsWithinTheReferencesOwnRoundingOfFp64() {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("hifigan_real", "golden.safetensors"));
        Tensor mel = g.get("mel");
        try (WeightSource src = WeightSources.open(SharedData.data("weights/hifigan-v2-ljspeech/generator_v2"));
             HifiGan gan = HifiGan.load(SharedData.data("weights/hifigan-v2-ljspeech/generator_v2"))) {
            Weights w = Weights.of("HiFi-GAN", src, HifiGanNames.mapping(src.names()));
            double[] ref = fp64(w, gan.config(), mel);
            float[] ours = gan.forward(mel).toArray(), golden = g.get("audio").toArray();
            double oursErr = 0, goldenErr = 0;
            for (int i = 0; i < ref.length; i++) {
                oursErr = Math.max(oursErr, Math.abs(ours[i] - ref[i]));
                goldenErr = Math.max(goldenErr, Math.abs(golden[i] - ref[i]));
            }
            System.err.printf("hifigan v2 vs fp64: ours %.3g, the reference's fp32 golden %.3g%n", oursErr, goldenErr);
            assertTrue(oursErr <= FP64_TOL, "ours vs fp64 " + oursErr);
            Assert.close("golden vs fp64", golden, toFloat(ref), 2e-5, 0);
        }
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    /** The generator of {@code c} in double: conv_pre, stages (lrelu, transposed conv, mean of resblocks), lrelu, conv_post, tanh. */
    static double[] fp64(Weights w, HifiGanConfig c, Tensor mel) {
        int L = mel.dim(2);
        double[] x = conv(w, "conv_pre", toDouble(mel.toArray()), c.numMels(), L, c.upsampleInitialChannel(), 7, 1);
        int ch = c.upsampleInitialChannel(), kinds = c.resblockKernelSizes().length;
        for (int i = 0; i < c.stages(); i++) {
            int k = c.upsampleKernelSizes()[i], u = c.upsampleRates()[i], out = ch / 2;
            x = convT(w, "ups." + i, lrelu(x, 0.1), ch, L, out, k, u, (k - u) / 2);
            L = (L - 1) * u - 2 * ((k - u) / 2) + k;
            ch = out;
            double[] sum = new double[x.length];
            for (int j = 0; j < kinds; j++) {
                double[] h = x.clone();
                int kk = c.resblockKernelSizes()[j];
                int[] dil = c.resblockDilations()[j];
                for (int m = 0; m < dil.length; m++) {
                    String p = "resblocks." + (i * kinds + j);
                    double[] t = conv(w, p + ".convs1." + m, lrelu(h, 0.1), ch, L, ch, kk, dil[m]);
                    t = conv(w, p + ".convs2." + m, lrelu(t, 0.1), ch, L, ch, kk, 1);
                    for (int e = 0; e < h.length; e++) h[e] += t[e];
                }
                for (int e = 0; e < h.length; e++) sum[e] += h[e];
            }
            for (int e = 0; e < sum.length; e++) sum[e] /= kinds;
            x = sum;
        }
        double[] y = conv(w, "conv_post", lrelu(x, 0.01), ch, L, 1, 7, 1);
        for (int e = 0; e < y.length; e++) y[e] = Math.tanh(y[e]);
        return y;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static double[] lrelu(double[] x, double slope) {
        double s = (float) slope; // the float slope PyTorch's kernel applies
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] >= 0 ? x[i] : s * x[i];
        return y;
    }

    /** Conv1d, kernel k, dilation d, padding (k d - d)/2, on x [in, L] -> [out, L]. */
    static double[] conv(Weights w, String module, double[] x, int in, int L, int out, int k, int d) {
        double[] wt = toDouble(WeightNorm.matrix(w, module, out, in, k).toFloats()), b = toDouble(w.vector(module + ".bias", out));
        int pad = (k * d - d) / 2;
        double[] y = new double[out * L];
        IntStream.range(0, out).parallel().forEach(o -> {
            for (int t = 0; t < L; t++) {
                double s = b[o];
                for (int ci = 0; ci < in; ci++)
                    for (int p = 0; p < k; p++) {
                        int src = t - pad + p * d;
                        if (src >= 0 && src < L) s += wt[(o * in + ci) * k + p] * x[ci * L + src];
                    }
                y[o * L + t] = s;
            }
        });
        return y;
    }

    /** ConvTranspose1d [in, L] -> [out, (L-1) u - 2 pad + k], weight [in, out, k]. */
    static double[] convT(Weights w, String module, double[] x, int in, int L, int out, int k, int u, int pad) {
        double[] wt = toDouble(WeightNorm.matrix(w, module, in, out, k).toFloats()), b = toDouble(w.vector(module + ".bias", out));
        int lo = (L - 1) * u - 2 * pad + k;
        double[] y = new double[out * lo];
        IntStream.range(0, out).parallel().forEach(o -> {
            for (int t = 0; t < lo; t++) y[o * lo + t] = b[o];
            for (int ci = 0; ci < in; ci++)
                for (int s = 0; s < L; s++)
                    for (int p = 0; p < k; p++) {
                        int to = s * u - pad + p;
                        if (to >= 0 && to < lo) y[o * lo + to] += x[ci * L + s] * wt[(ci * out + o) * k + p];
                    }
        });
        return y;
    }
}
