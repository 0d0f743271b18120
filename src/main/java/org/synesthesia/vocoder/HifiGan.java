package org.synesthesia.vocoder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Ops;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.nn.Capture;
import org.synesthesia.nn.Conv1d;
import org.synesthesia.nn.ConvTranspose1d;
import org.synesthesia.nn.Tracer;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * The HiFi-GAN generator (jik876/hifi-gan {@code models.Generator}): log-mel [N, numMels, T] -> audio
 * [N, 1, T * hop] in [-1, 1], its shape from a {@link HifiGanConfig}:
 * <pre>
 * x = conv_pre(mel)                                    (optionally (mel - mean) / scale first, diffusers)
 * for stage i:  x = ups[i](lrelu(x, 0.1))
 *               x = (resblocks[i*K] (x) + ... + resblocks[i*K + K-1](x)) / K     (K residual-block kernel sizes)
 * audio = tanh(conv_post(lrelu(x, 0.01)))
 * </pre>
 * Weight norm is folded at load ({@link WeightNorm}). Traced modules: {@code conv_pre}, {@code ups.i},
 * {@code resblocks.j}, {@code stages.i} (stage i's output, the mean), {@code conv_post} (before tanh).
 */
public final class HifiGan implements AutoCloseable {
    private final HifiGanConfig config;
    private final WeightSource source; // closed by close() when owned, else null
    private final String description;
    private final Conv1d convPre, convPost;
    private final ConvTranspose1d[] ups;
    private final HifiGanResBlock[] resblocks;
    private final float[] mean, scale; // normalize_before, else null

    private HifiGan(HifiGanConfig config, WeightSource source, String description, Conv1d convPre, ConvTranspose1d[] ups,
                    HifiGanResBlock[] resblocks, Conv1d convPost, float[] mean, float[] scale) {
        this.config = config;
        this.source = source;
        this.description = description;
        this.convPre = convPre;
        this.ups = ups;
        this.resblocks = resblocks;
        this.convPost = convPost;
        this.mean = mean;
        this.scale = scale;
    }

    /**
     * A generator file or folder: jik876's {@code generator_*} with its {@code config.json} beside it, a diffusers
     * {@code vocoder/} folder (or a pipeline folder holding one), or an AudioLDM checkpoint (its vocoder, whose
     * config is AudioLDM's 16 kHz one with the width its tensors have).
     */
    public static HifiGan load(Path path) {
        WeightSource src = WeightSources.open(path);
        try {
            String p = HifiGanNames.prefix(src.names());
            if (p == null) throw SynesthesiaException.inFile(path, "no HiFi-GAN generator in it (no conv_pre, ups.0 / upsampler.0 and conv_post tensors)");
            HifiGanConfig cfg = findConfig(path, src, p);
            return load(src, cfg, true);
        } catch (RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** The config for {@code path}: a {@code config.json} of HiFi-GAN keys beside or in it, else AudioLDM's by its prefix. */
    private static HifiGanConfig findConfig(Path path, WeightSource src, String prefix) {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        for (Path c : new Path[] {dir.resolve("config.json"), dir.resolve("vocoder").resolve("config.json")}) {
            if (!Files.isRegularFile(c)) continue;
            Map<String, Object> m = ReadFile.configObject(c, "not valid JSON");
            if (m.containsKey("upsample_rates")) return HifiGanConfig.fromMap(m, c.toString());
        }
        if (prefix.equals(HifiGanNames.AUDIOLDM_PREFIX)) return HifiGanConfig.audioldm16k(convPreWidth(src, prefix));
        throw SynesthesiaException.inFile(path, "no HiFi-GAN config.json beside it (the upsample rates are not stored with the weights)");
    }

    private static int convPreWidth(WeightSource src, String prefix) {
        String n = src.names().contains(prefix + "conv_pre.weight") ? prefix + "conv_pre.weight" : prefix + "conv_pre.weight_v";
        StoredTensor t = src.get(n);
        if (t.rank() != 3) throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " has shape " + t.shapeString() + ", expected [channels, mels, 7]");
        return Math.toIntExact(t.shape()[0]);
    }

    /** The generator of {@code cfg} over the tensors of {@code src}; with {@code owns}, {@link #close()} closes it. */
    public static HifiGan load(WeightSource src, HifiGanConfig cfg, boolean owns) {
        if (HifiGanNames.prefix(src.names()) == null) throw new SynesthesiaException(src.description() + ": no HiFi-GAN generator in it");
        var mapping = HifiGanNames.mapping(src.names());
        HifiGan g = build(Weights.of("HiFi-GAN", src, mapping), cfg, owns ? src : null, mapping.layout());
        checkAllUsed(src, mapping.canonicalToStored().keySet(), cfg);
        return g;
    }

    /** A generator of {@code cfg} over {@code w} (checkpoint or random weights). */
    public static HifiGan build(Weights w, HifiGanConfig cfg) {
        return build(w, cfg, null, w.layout());
    }

    private static HifiGan build(Weights w, HifiGanConfig cfg, WeightSource owned, String layout) {
        int c = cfg.upsampleInitialChannel();
        Conv1d pre = conv(w, "conv_pre", c, cfg.numMels(), 7);
        int n = cfg.stages(), kinds = cfg.resblockKernelSizes().length;
        ConvTranspose1d[] ups = new ConvTranspose1d[n];
        HifiGanResBlock[] rbs = new HifiGanResBlock[n * kinds];
        for (int i = 0; i < n; i++) {
            int in = cfg.channels(i - 1), out = cfg.channels(i), k = cfg.upsampleKernelSizes()[i], u = cfg.upsampleRates()[i];
            ups[i] = new ConvTranspose1d("ups." + i, WeightNorm.matrix(w, "ups." + i, in, out, k), w.vector("ups." + i + ".bias", out), k, u, (k - u) / 2);
            for (int j = 0; j < kinds; j++)
                rbs[i * kinds + j] = HifiGanResBlock.bind(w, "resblocks." + (i * kinds + j), cfg.resblock(), out,
                        cfg.resblockKernelSizes()[j], cfg.resblockDilations()[j], cfg.leakyReluSlope());
        }
        Conv1d post = conv(w, "conv_post", 1, cfg.channels(n - 1), 7);
        float[] mean = cfg.normalizeBefore() ? w.vector("mean", cfg.numMels()) : null;
        float[] scale = cfg.normalizeBefore() ? w.vector("scale", cfg.numMels()) : null;
        String desc = String.format(Locale.ROOT, "HiFi-GAN (%s), %d mels -> x%s = %d samples per frame at %d Hz, %d channels, resblock %d",
                layout, cfg.numMels(), Arrays.toString(cfg.upsampleRates()).replace(", ", "x").replaceAll("[\\[\\]]", ""),
                cfg.samplesPerFrame(), cfg.samplingRate(), c, cfg.resblock());
        return new HifiGan(cfg, owned, desc, pre, ups, rbs, post, mean, scale);
    }

    private static Conv1d conv(Weights w, String module, int out, int in, int k) {
        return new Conv1d(WeightNorm.matrix(w, module, out, in, k), w.vector(module + ".bias", out), k, 1, (k - 1) / 2);
    }

    /** Every tensor of the generator must be one the config uses: a wrong config would otherwise leave some unused. */
    private static void checkAllUsed(WeightSource src, Collection<String> canonical, HifiGanConfig cfg) {
        int blocks = cfg.stages() * cfg.resblockKernelSizes().length;
        for (String name : canonical) {
            String[] parts = name.split("\\.");
            boolean used = switch (parts[0]) {
                case "conv_pre", "conv_post" -> true;
                case "ups" -> Integer.parseInt(parts[1]) < cfg.stages();
                case "resblocks" -> Integer.parseInt(parts[1]) < blocks;
                case "mean", "scale" -> true;
                default -> false;
            };
            if (!used) throw new SynesthesiaException(src.description() + ": tensor '" + name + "' is not part of a HiFi-GAN of this config ("
                    + cfg.stages() + " stages, " + blocks + " residual blocks); wrong config.json?");
        }
    }

    public HifiGanConfig config() { return config; }

    public String description() { return description; }

    public Tensor forward(Tensor mel) {
        return forward(mel, Tracer.NONE);
    }

    /** mel [N, numMels, T] (natural-log mel, {@link HifiGanConfig#melSpectrogram()}) -> audio [N, 1, T * hop]. */
    public Tensor forward(Tensor mel, Tracer tracer) {
        if (mel.rank() != 3 || mel.dim(1) != config.numMels())
            throw new SynesthesiaException("HiFi-GAN: mel must be [N, " + config.numMels() + ", frames], got " + Arrays.toString(mel.shape()));
        if (mean != null) mel = normalise(mel);
        Tensor x = convPre.forward(mel);
        tracer.capture("conv_pre", x);
        int kinds = config.resblockKernelSizes().length;
        for (int i = 0; i < ups.length; i++) {
            x = ups[i].forward(LeakyRelu.apply(x, config.leakyReluSlope()), tracer);
            float[] sum = null;
            for (int j = 0; j < kinds; j++) {
                Tensor r = resblocks[i * kinds + j].forward(x);
                tracer.capture("resblocks." + (i * kinds + j), r);
                float[] rd = r.contiguous().data();
                if (sum == null) sum = rd;
                else Ops.addInPlace(sum, 0, rd, 0, sum.length);
            }
            divide(sum, kinds);
            x = Tensor.of(sum, x.shape());
            tracer.capture("stages." + i, x);
        }
        x = convPost.forward(LeakyRelu.apply(x, HifiGanConfig.FINAL_SLOPE));
        tracer.capture("conv_post", x);
        float[] y = x.contiguous().data();
        Parallel.forRange(y.length, Capture.ELEMENT_GRAIN, (a, b) -> {
            for (int t = a; t < b; t++) y[t] = (float) Math.tanh(y[t]);
        });
        return Tensor.of(y, x.shape());
    }

    private static void divide(float[] x, int k) {
        float d = k;
        Parallel.forRange(x.length, Capture.ELEMENT_GRAIN, (a, b) -> {
            for (int t = a; t < b; t++) x[t] /= d;
        });
    }

    private Tensor normalise(Tensor mel) {
        int n = mel.dim(0), c = mel.dim(1), t = mel.dim(2);
        float[] x = mel.toArray();
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int s = 0; s < t; s++) {
                    int i = (b * c + ch) * t + s;
                    x[i] = (x[i] - mean[ch]) / scale[ch];
                }
        return Tensor.of(x, n, c, t);
    }

    /** The mel of {@code audio} (at the config's rate) this generator expects: [numMels, frames]. */
    public Tensor melOf(float[] audio) {
        return config.melSpectrogram().compute(audio);
    }

    @Override
    public void close() {
        if (source != null) source.close();
    }
}
