package org.synesthesia.vocoder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.synesthesia.audio.MelSpectrogram;
import org.synesthesia.util.Json;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * A HiFi-GAN generator's shape and the mel it expects (jik876/hifi-gan {@code config.json}, AudioLDM's vocoder
 * config, or diffusers' {@code SpeechT5HifiGanConfig}).
 *
 * <p>Generator: {@code conv_pre} Conv1d(numMels, C, 7, padding 3); for stage i, leaky ReLU then
 * {@code ups.i} ConvTranspose1d(C/2^i, C/2^(i+1), upsampleKernelSizes[i], stride upsampleRates[i],
 * padding (k - u)/2) and the mean of {@code resblockKernelSizes.length} residual blocks; leaky ReLU (slope 0.01),
 * {@code conv_post} Conv1d(C/2^n, 1, 7, padding 3), tanh. C = {@code upsampleInitialChannel}; the output has
 * prod(upsampleRates) samples per mel frame (the hop).
 *
 * <p>Mel ({@link #melSpectrogram()}): {@code meldataset.mel_spectrogram} with this config's n_fft, window, hop, bins
 * and fmin/fmax: reflect padding of (n_fft - hop)/2, periodic Hann, {@code sqrt(re^2 + im^2 + 1e-9)}, Slaney
 * filters, {@code ln(max(., 1e-5))}.
 *
 * @param resblock          1: {@code convs1} with dilations and {@code convs2} with dilation 1, in pairs; 2: {@code convs}
 *                          with dilations
 * @param resblockDilations per residual-block kernel size, its dilations
 * @param leakyReluSlope    slope of every leaky ReLU but the last (0.1)
 * @param normalizeBefore   diffusers' SpeechT5HifiGan {@code normalize_before}: {@code (mel - mean) / scale} first
 */
public record HifiGanConfig(int numMels, int[] upsampleRates, int[] upsampleKernelSizes, int upsampleInitialChannel,
                            int resblock, int[] resblockKernelSizes, int[][] resblockDilations, float leakyReluSlope,
                            boolean normalizeBefore, int samplingRate, int nFft, int winSize, int hopSize, double fmin, double fmax) {

    /** The slope of the leaky ReLU before {@code conv_post} ({@code F.leaky_relu}'s default). */
    public static final float FINAL_SLOPE = 0.01f;

    public HifiGanConfig {
        if (numMels < 1 || upsampleInitialChannel < 1 || samplingRate < 1)
            throw new IllegalArgumentException("HiFi-GAN num_mels " + numMels + ", upsample_initial_channel " + upsampleInitialChannel + ", sampling_rate " + samplingRate + " must be positive");
        if (upsampleRates.length == 0 || upsampleRates.length != upsampleKernelSizes.length)
            throw new IllegalArgumentException("HiFi-GAN upsample_rates " + Arrays.toString(upsampleRates) + " and upsample_kernel_sizes " + Arrays.toString(upsampleKernelSizes) + " must be non-empty and of one length");
        for (int i = 0; i < upsampleRates.length; i++)
            if (upsampleRates[i] < 1 || upsampleKernelSizes[i] < upsampleRates[i])
                throw new IllegalArgumentException("HiFi-GAN upsample stage " + i + ": rate " + upsampleRates[i] + ", kernel " + upsampleKernelSizes[i] + " (needs 1 <= rate <= kernel)");
        if (upsampleInitialChannel % (1 << upsampleRates.length) != 0)
            throw new IllegalArgumentException("HiFi-GAN upsample_initial_channel " + upsampleInitialChannel + " does not halve " + upsampleRates.length + " times");
        if (resblock != 1 && resblock != 2) throw new IllegalArgumentException("HiFi-GAN resblock must be 1 or 2, not " + resblock);
        if (resblockKernelSizes.length == 0 || resblockKernelSizes.length != resblockDilations.length)
            throw new IllegalArgumentException("HiFi-GAN resblock_kernel_sizes " + Arrays.toString(resblockKernelSizes) + " and resblock_dilation_sizes " + Arrays.deepToString(resblockDilations) + " must be non-empty and of one length");
        for (int j = 0; j < resblockKernelSizes.length; j++) {
            if (resblockKernelSizes[j] < 1 || resblockDilations[j].length == 0)
                throw new IllegalArgumentException("HiFi-GAN residual block " + j + ": kernel " + resblockKernelSizes[j] + ", dilations " + Arrays.toString(resblockDilations[j]));
            for (int d : resblockDilations[j]) if (d < 1) throw new IllegalArgumentException("HiFi-GAN dilation " + d + " must be positive");
        }
        if (!(leakyReluSlope >= 0)) throw new IllegalArgumentException("HiFi-GAN leaky_relu_slope " + leakyReluSlope);
        if (nFft < 2 || winSize < 1 || winSize > nFft || hopSize < 1 || !(fmin >= 0) || !(fmax > fmin))
            throw new IllegalArgumentException("HiFi-GAN mel: n_fft " + nFft + ", win_size " + winSize + ", hop_size " + hopSize + ", fmin " + fmin + ", fmax " + fmax);
    }

    /** Upsampling stages. */
    public int stages() {
        return upsampleRates.length;
    }

    /** Channels after stage {@code i} ({@code i = -1}: after {@code conv_pre}). */
    public int channels(int i) {
        return upsampleInitialChannel >> (i + 1);
    }

    /** Audio samples per mel frame: the product of the upsample rates. */
    public int samplesPerFrame() {
        int p = 1;
        for (int u : upsampleRates) p *= u;
        return p;
    }

    /** {@code meldataset.mel_spectrogram} for this config: the mel the generator was trained on. */
    public MelSpectrogram melSpectrogram() {
        return new MelSpectrogram(samplingRate, nFft, winSize, hopSize, MelSpectrogram.Window.HANN_PERIODIC,
                MelSpectrogram.Padding.HALF_OVERLAP_REFLECT, false, numMels, fmin, Math.min(fmax, samplingRate / 2.0),
                MelSpectrogram.FilterNorm.SLANEY, 1, 1e-9, MelSpectrogram.Log.LN, 1e-5, MelSpectrogram.Normalisation.NONE);
    }

    /**
     * AudioLDM's 16 kHz vocoder ({@code HIFIGAN_16K_64}): 64 mels, upsample rates 5,4,2,2,2 with kernels
     * 16,16,8,4,4, resblock 1 with kernels 3,7,11 and dilations 1,3,5, n_fft 1024, hop 160, 0-8 kHz;
     * {@code upsampleInitialChannel} 1024 in AudioLDM-S and -L.
     */
    public static HifiGanConfig audioldm16k(int upsampleInitialChannel) {
        int[][] dil = {{1, 3, 5}, {1, 3, 5}, {1, 3, 5}};
        return new HifiGanConfig(64, new int[] {5, 4, 2, 2, 2}, new int[] {16, 16, 8, 4, 4}, upsampleInitialChannel, 1,
                new int[] {3, 7, 11}, dil, 0.1f, false, 16_000, 1024, 1024, 160, 0, 8000);
    }

    /** This config under {@link #fromMap}'s keys (JSON-ready: lists of longs). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("num_mels", (long) numMels);
        m.put("upsample_rates", longs(upsampleRates));
        m.put("upsample_kernel_sizes", longs(upsampleKernelSizes));
        m.put("upsample_initial_channel", (long) upsampleInitialChannel);
        m.put("resblock", String.valueOf(resblock));
        m.put("resblock_kernel_sizes", longs(resblockKernelSizes));
        List<Object> dil = new java.util.ArrayList<>();
        for (int[] d : resblockDilations) dil.add(longs(d));
        m.put("resblock_dilation_sizes", dil);
        m.put("leaky_relu_slope", (double) leakyReluSlope);
        m.put("normalize_before", normalizeBefore);
        m.put("sampling_rate", (long) samplingRate);
        m.put("n_fft", (long) nFft);
        m.put("win_size", (long) winSize);
        m.put("hop_size", (long) hopSize);
        m.put("fmin", fmin);
        m.put("fmax", fmax);
        return m;
    }

    private static List<Object> longs(int[] a) {
        List<Object> l = new java.util.ArrayList<>(a.length);
        for (int v : a) l.add((long) v);
        return l;
    }

    /** Reads a {@code config.json}: jik876/hifi-gan's and AudioLDM's keys, or diffusers' {@code SpeechT5HifiGanConfig}. */
    public static HifiGanConfig fromJson(Path file) {
        return fromMap(ReadFile.configObject(file, "not valid JSON"), file.toString());
    }

    /**
     * From the keys of a parsed config; {@code source} names it in errors. Architecture keys are required;
     * {@code num_mels} (or diffusers' {@code model_in_dim}) defaults to 80, {@code resblock} to "1",
     * {@code sampling_rate} to 22,050, {@code n_fft}/{@code win_size} to 1024, {@code hop_size} to the product of
     * the rates, {@code fmin}/{@code fmax} to 0/8000 (at most half the rate).
     */
    public static HifiGanConfig fromMap(Map<String, Object> m, String source) {
        int[] rates = ints(m, "upsample_rates", source);
        int mels = m.containsKey("num_mels") ? intKey(m, "num_mels", 80, source) : intKey(m, "model_in_dim", 80, source);
        Object rb = m.getOrDefault("resblock", "1");
        int resblock = switch (String.valueOf(rb)) {
            case "1" -> 1;
            case "2" -> 2;
            default -> throw new SynesthesiaException(source + ": resblock is " + Json.write(rb) + ", expected \"1\" or \"2\"");
        };
        List<?> dl = list(m, "resblock_dilation_sizes", source);
        int[][] dil = new int[dl.size()][];
        for (int j = 0; j < dil.length; j++) dil[j] = toInts(dl.get(j), "resblock_dilation_sizes[" + j + "]", source);
        int hopDefault = 1;
        for (int u : rates) hopDefault *= u;
        int sr = intKey(m, "sampling_rate", 22_050, source);
        int nFft = intKey(m, "n_fft", 1024, source);
        try {
            return new HifiGanConfig(mels, rates, ints(m, "upsample_kernel_sizes", source), intKey(m, "upsample_initial_channel", 0, source),
                    resblock, ints(m, "resblock_kernel_sizes", source), dil, (float) number(m, "leaky_relu_slope", 0.1, source),
                    Boolean.TRUE.equals(m.get("normalize_before")), sr, nFft, intKey(m, "win_size", nFft, source),
                    intKey(m, "hop_size", hopDefault, source), number(m, "fmin", 0, source), Math.min(number(m, "fmax", 8000, source), sr / 2.0));
        } catch (IllegalArgumentException e) {
            throw new SynesthesiaException(source + ": " + e.getMessage());
        }
    }

    private static List<?> list(Map<String, Object> m, String key, String source) {
        Object v = m.get(key);
        if (v == null) throw new SynesthesiaException(source + ": no '" + key + "' (not a HiFi-GAN config)");
        if (!(v instanceof List<?> l)) throw new SynesthesiaException(source + ": " + key + " is " + Json.write(v) + ", expected a list");
        return l;
    }

    private static int[] ints(Map<String, Object> m, String key, String source) {
        return toInts(list(m, key, source), key, source);
    }

    private static int[] toInts(Object v, String what, String source) {
        if (!(v instanceof List<?> l)) throw new SynesthesiaException(source + ": " + what + " is " + Json.write(v) + ", expected a list of integers");
        List<Integer> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof Long x) || x < 1 || x > Integer.MAX_VALUE)
                throw new SynesthesiaException(source + ": " + what + " holds " + Json.write(o) + ", expected positive integers");
            out.add(x.intValue());
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int intKey(Map<String, Object> m, String key, int dflt, String source) {
        Object v = m.get(key);
        if (v == null) {
            if (dflt > 0) return dflt;
            throw new SynesthesiaException(source + ": no '" + key + "' (not a HiFi-GAN config)");
        }
        if (v instanceof Long l && l > 0 && l <= Integer.MAX_VALUE) return l.intValue();
        throw new SynesthesiaException(source + ": " + key + " is " + Json.write(v) + ", expected a positive integer");
    }

    private static double number(Map<String, Object> m, String key, double dflt, String source) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.doubleValue();
        throw new SynesthesiaException(source + ": " + key + " is " + Json.write(v) + ", expected a number");
    }
}
