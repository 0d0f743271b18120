package org.synesthesia.translator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.kernel.Gemm;
import org.synesthesia.kernel.WeightMatrix;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The original work's {@code CLIptoCLAP} module, for a batch of B rows:
 * <pre>
 *   xn  = x / max(||x||, 1e-12)                 (B, in)    F.normalize(x, p=2, dim=1)
 *   h1  = relu(xn W1^T + b1)                    (B, h)     fc1, W1 [h, in]
 *   h2  = relu(h1 W2^T + b2)                    (B, h)     fc2, W2 [h, h]
 *   p   = h2 W3^T + b3                          (B, out)   fc3, W3 [out, h]
 *   y   = p / max(||p||, 1e-12)                 (B, out)
 * </pre>
 * in = out = 512 and h = 256 or 512 in the original; all three widths are taken from the weights. The parameters are
 * held on the heap as float32 (0.4 M or 0.8 M of them: they are trained in place), under the state-dict names
 * {@link #NAMES}. The WIT+Audiocaps scripts had {@code Dropout(0.5)} after each ReLU; dropout has no parameters and
 * is the identity at inference, so their checkpoints load here as well ({@link #forward(float[], int, Kernels,
 * float, SplittableRandom)} applies it when training asks for it).
 */
public final class Translator {
    /** PyTorch state-dict names, in parameter order (Adam's order too). */
    public static final String[] NAMES = {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"};
    /** F.normalize's eps: x / max(||x||, eps). */
    static final double NORM_EPS = 1e-12;

    private final int in, hidden, out;
    /** Parameters in the order of {@link #NAMES}; weights row-major [out_features, in_features]. */
    private final float[][] params;

    public Translator(int in, int hidden, int out, float[][] params) {
        if (in <= 0 || hidden <= 0 || out <= 0) throw new IllegalArgumentException("translator widths must be positive");
        int[] sizes = sizes(in, hidden, out);
        if (params.length != 6) throw new IllegalArgumentException("6 parameters expected, got " + params.length);
        for (int i = 0; i < 6; i++)
            if (params[i].length != sizes[i]) throw new IllegalArgumentException(NAMES[i] + ": " + params[i].length + " values, expected " + sizes[i]);
        this.in = in;
        this.hidden = hidden;
        this.out = out;
        this.params = params;
    }

    static int[] sizes(int in, int hidden, int out) {
        return new int[] {hidden * in, hidden, hidden * hidden, hidden, out * hidden, out};
    }

    /** The shape of parameter i as PyTorch stores it. */
    public int[] shape(int i) {
        return switch (i) {
            case 0 -> new int[] {hidden, in};
            case 1, 3 -> new int[] {hidden};
            case 2 -> new int[] {hidden, hidden};
            case 4 -> new int[] {out, hidden};
            case 5 -> new int[] {out};
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    public int in() { return in; }
    public int hidden() { return hidden; }
    public int out() { return out; }

    /** The live parameter arrays (order of {@link #NAMES}); training updates them in place. */
    public float[][] parameters() { return params; }

    public long parameterCount() {
        long n = 0;
        for (float[] p : params) n += p.length;
        return n;
    }

    public Translator copy() {
        float[][] c = new float[6][];
        for (int i = 0; i < 6; i++) c[i] = params[i].clone();
        return new Translator(in, hidden, out, c);
    }

    /** Overwrites this translator's parameters with {@code other}'s (same widths). */
    public void copyFrom(Translator other) {
        if (other.in != in || other.hidden != hidden || other.out != out) throw new IllegalArgumentException("widths differ");
        for (int i = 0; i < 6; i++) System.arraycopy(other.params[i], 0, params[i], 0, params[i].length);
    }

    /**
     * Fresh parameters with the distribution of PyTorch's default Linear init (kaiming_uniform with a = sqrt(5) for
     * the weight and the bias rule, both amounting to U(-1/sqrt(fan_in), 1/sqrt(fan_in))), drawn from
     * {@code SplittableRandom(seed)} in parameter order; not torch's random stream.
     */
    public static Translator init(int in, int hidden, int out, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] sizes = sizes(in, hidden, out);
        int[] fanIn = {in, in, hidden, hidden, hidden, hidden};
        float[][] p = new float[6][];
        for (int i = 0; i < 6; i++) {
            double bound = 1 / Math.sqrt(fanIn[i]);
            p[i] = new float[sizes[i]];
            for (int j = 0; j < sizes[i]; j++) p[i][j] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return new Translator(in, hidden, out, p);
    }

    /**
     * Loads a translator from a PyTorch state dict ({@code .pth} as the original scripts saved it, zip or legacy
     * pickle) or a safetensors file with the same names; any reader {@link WeightSources} knows. Widths come from
     * the shapes; a missing tensor or an inconsistent shape is one line naming the file and the tensor.
     */
    public static Translator load(Path path) {
        try (WeightSource src = WeightSources.open(path)) {
            StoredTensor w1 = tensor(src, path, "fc1.weight", 2), w3 = tensor(src, path, "fc3.weight", 2);
            int hidden = (int) w1.shape()[0], in = (int) w1.shape()[1], out = (int) w3.shape()[0];
            int[] expect = {hidden, in};
            float[][] p = new float[6][];
            Translator shapeOf = new Translator(in, hidden, out, zeros(in, hidden, out));
            for (int i = 0; i < 6; i++) {
                StoredTensor t = tensor(src, path, NAMES[i], shapeOf.shape(i).length);
                int[] want = shapeOf.shape(i);
                for (int d = 0; d < want.length; d++)
                    if (t.shape()[d] != want[d])
                        throw SynesthesiaException.inFile(path, "tensor " + NAMES[i] + " is " + t.shapeString() + ", expected "
                                + java.util.Arrays.toString(want) + " (fc1.weight is " + java.util.Arrays.toString(expect) + ", fc3.weight "
                                + w3.shapeString() + ")");
                p[i] = t.toFloats();
                for (int j = 0; j < p[i].length; j++)
                    if (!Float.isFinite(p[i][j])) throw SynesthesiaException.inFile(path, "tensor " + NAMES[i] + " holds " + p[i][j] + " at " + j);
            }
            return new Translator(in, hidden, out, p);
        }
    }

    private static float[][] zeros(int in, int hidden, int out) {
        int[] s = sizes(in, hidden, out);
        float[][] z = new float[6][];
        for (int i = 0; i < 6; i++) z[i] = new float[s[i]];
        return z;
    }

    private static StoredTensor tensor(WeightSource src, Path path, String name, int rank) {
        StoredTensor t = src.find(name).orElseThrow(() -> SynesthesiaException.inFile(path,
                "no tensor named '" + name + "' (a CLIP-to-CLAP translator has fc1/fc2/fc3 .weight and .bias)"));
        if (t.rank() != rank) throw SynesthesiaException.inFile(path, "tensor " + name + " is " + t.shapeString() + ", expected rank " + rank);
        return t;
    }

    /** Writes the parameters as F32 safetensors under {@link #NAMES} with {@code metadata} (atomically). */
    public void save(Path path, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) t.put(NAMES[i], Tensor.of(params[i].clone(), shape(i)));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "synesthesia-translator/1");
        meta.put("hidden", Integer.toString(hidden));
        if (metadata != null) meta.putAll(metadata);
        SafeTensors.write(path, t, meta);
    }

    /** Maps one CLIP embedding (in) to the CLAP-space conditioning (out), unit length. */
    public float[] map(float[] clip) {
        if (clip.length != in) throw new IllegalArgumentException("translator takes " + in + " values, got " + clip.length);
        return forward(clip, 1);
    }

    /** The forward pass of {@code rows} rows of x (rows, in) -> (rows, out). */
    public float[] forward(float[] x, int rows) {
        return forward(x, rows, Kernels.FAST, 0, null).y;
    }

    /** What the forward pass keeps for {@link #backward}. Arrays are row-major. */
    public static final class Activations {
        public final int rows;
        /** (rows, in) normalised input. */
        public final float[] xn;
        /** (rows, h) after ReLU (and dropout when training with it). */
        public final float[] h1, h2;
        /** Dropout's keep scale per element (0 or 1/(1-p)), or null without dropout. */
        final float[] keep1, keep2;
        /** (rows, out) fc3's output before the normalisation. */
        public final float[] pre;
        /** (rows) ||pre_i||. */
        final float[] preNorm;
        /** (rows, out) the output. */
        public final float[] y;

        Activations(int rows, float[] xn, float[] h1, float[] h2, float[] keep1, float[] keep2, float[] pre, float[] preNorm, float[] y) {
            this.rows = rows;
            this.xn = xn;
            this.h1 = h1;
            this.h2 = h2;
            this.keep1 = keep1;
            this.keep2 = keep2;
            this.pre = pre;
            this.preNorm = preNorm;
            this.y = y;
        }
    }

    /**
     * The forward pass keeping what {@link #backward} needs. With {@code dropout > 0} (training only) each hidden
     * ReLU output is zeroed with probability p and the survivors scaled by 1/(1-p), as {@code nn.Dropout} in train
     * mode; the masks come from {@code rnd}.
     */
    public Activations forward(float[] x, int rows, Kernels k, float dropout, SplittableRandom rnd) {
        if ((long) rows * in != x.length) throw new IllegalArgumentException("translator input has " + x.length + " values, expected " + rows + "x" + in);
        float[] xn = new float[rows * in];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int c = 0; c < in; c++) { double v = x[r * in + c]; ss += v * v; }
            float inv = (float) (1 / Math.max(Math.sqrt(ss), NORM_EPS));
            for (int c = 0; c < in; c++) xn[r * in + c] = x[r * in + c] * inv;
        }
        float[] h1 = linear(k, xn, rows, params[0], params[1], hidden, in);
        float[] keep1 = reluDropout(h1, dropout, rnd);
        float[] h2 = linear(k, h1, rows, params[2], params[3], hidden, hidden);
        float[] keep2 = reluDropout(h2, dropout, rnd);
        float[] pre = linear(k, h2, rows, params[4], params[5], out, hidden);
        float[] y = new float[rows * out], norms = new float[rows];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int c = 0; c < out; c++) { double v = pre[r * out + c]; ss += v * v; }
            norms[r] = (float) Math.sqrt(ss);
            float inv = (float) (1 / Math.max(Math.sqrt(ss), NORM_EPS));
            for (int c = 0; c < out; c++) y[r * out + c] = pre[r * out + c] * inv;
        }
        return new Activations(rows, xn, h1, h2, keep1, keep2, pre, norms, y);
    }

    /** y (rows, n) = x (rows, k) W^T + b, W [n, k]. */
    private static float[] linear(Kernels kern, float[] x, int rows, float[] w, float[] b, int n, int k) {
        float[] y = new float[rows * n];
        if (kern == Kernels.FAST) {
            Gemm.linear(x, 0, k, rows, WeightMatrix.of(w, n, k), b, y, 0, n);
            return y;
        }
        for (int r = 0; r < rows; r++) System.arraycopy(b, 0, y, r * n, n);
        kern.gemm(false, true, rows, n, k, x, k, w, k, 1f, y, n);
        return y;
    }

    /** In place: v = max(v, 0), then dropout; returns the keep scales or null. */
    private static float[] reluDropout(float[] v, float p, SplittableRandom rnd) {
        for (int i = 0; i < v.length; i++) if (!(v[i] > 0)) v[i] = 0;
        if (p <= 0) return null;
        if (p >= 1) throw new IllegalArgumentException("dropout must be below 1, got " + p);
        float scale = 1 / (1 - p);
        float[] keep = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            keep[i] = rnd.nextDouble() < p ? 0 : scale;
            v[i] *= keep[i];
        }
        return keep;
    }

    /**
     * Gradients of all six parameters (order of {@link #NAMES}) given dL/dy (rows, out) of the pass {@code a}:
     * <pre>
     *   dp   = (dy - y (y . dy)) / ||p||           (dy / eps where ||p|| &lt;= eps)
     *   dW3  = dp^T h2,  db3 = sum_rows dp,  dh2 = dp W3,  da2 = dh2 * [h2 &gt; 0] * keep2
     *   dW2  = da2^T h1, db2 = sum_rows da2, dh1 = da2 W2, da1 = dh1 * [h1 &gt; 0] * keep1
     *   dW1  = da1^T xn, db1 = sum_rows da1
     * </pre>
     */
    public float[][] backward(Activations a, float[] dy, Kernels k) {
        int rows = a.rows;
        if (dy.length != rows * out) throw new IllegalArgumentException("dL/dy has " + dy.length + " values, expected " + rows + "x" + out);
        float[] dp = new float[rows * out];
        for (int r = 0; r < rows; r++) {
            double n = a.preNorm[r];
            if (n > NORM_EPS) {
                double dot = 0;
                for (int c = 0; c < out; c++) dot += (double) a.y[r * out + c] * dy[r * out + c];
                for (int c = 0; c < out; c++) dp[r * out + c] = (float) ((dy[r * out + c] - a.y[r * out + c] * dot) / n);
            } else {
                for (int c = 0; c < out; c++) dp[r * out + c] = (float) (dy[r * out + c] / NORM_EPS);
            }
        }
        float[][] g = new float[6][];
        g[4] = new float[out * hidden];
        k.gemm(true, false, out, hidden, rows, dp, out, a.h2, hidden, 0f, g[4], hidden);
        g[5] = columnSums(dp, rows, out);
        float[] dh2 = new float[rows * hidden];
        k.gemm(false, false, rows, hidden, out, dp, out, params[4], hidden, 0f, dh2, hidden);
        reluDropoutBackward(dh2, a.h2, a.keep2);
        g[2] = new float[hidden * hidden];
        k.gemm(true, false, hidden, hidden, rows, dh2, hidden, a.h1, hidden, 0f, g[2], hidden);
        g[3] = columnSums(dh2, rows, hidden);
        float[] dh1 = new float[rows * hidden];
        k.gemm(false, false, rows, hidden, hidden, dh2, hidden, params[2], hidden, 0f, dh1, hidden);
        reluDropoutBackward(dh1, a.h1, a.keep1);
        g[0] = new float[hidden * in];
        k.gemm(true, false, hidden, in, rows, dh1, hidden, a.xn, in, 0f, g[0], in);
        g[1] = columnSums(dh1, rows, hidden);
        return g;
    }

    /** d = d * [h &gt; 0] * keep (h is the layer's output after ReLU and dropout: a dropped unit has h = 0). */
    private static void reluDropoutBackward(float[] d, float[] h, float[] keep) {
        for (int i = 0; i < d.length; i++) {
            if (!(h[i] > 0)) d[i] = 0;
            else if (keep != null) d[i] *= keep[i];
        }
    }

    private static float[] columnSums(float[] m, int rows, int cols) {
        double[] s = new double[cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) s[c] += m[r * cols + c];
        float[] out = new float[cols];
        for (int c = 0; c < cols; c++) out[c] = (float) s[c];
        return out;
    }
}
