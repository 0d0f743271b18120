package org.synesthesia.vocoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.synesthesia.audio.MelSpectrogram;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/**
 * The real HiFi-GAN V2 LJSpeech generator (trained weights, weight norm folded at load) against jik876/hifi-gan on
 * the hifigan_real golden, and its resynthesis quality: our one real-weight check of an audio generator.
 */
class HifiGanParityTest {
    static final String SET = "hifigan_real";
    /**
     * The golden README gives 1.9e-5 for the audio: the reference's own fp32 output differs from fp64 by 1.885e-5
     * (mean 3.3e-7). Ours is a second fp32 evaluation with another summation order, so its difference to the fp32
     * golden combines two such rounding errors (measured 2.75e-5, mean 3.1e-7): held to twice the README's number,
     * and the mean to 1e-6; {@link HifiGanFp64Test} holds ours to the README's 1.9e-5 against fp64 (measured 1.06e-5).
     * Folding by hand matches remove_weight_norm to 2.1e-7.
     */
    static final double AUDIO_TOL = 2 * 1.9e-5, AUDIO_MEAN_TOL = 1e-6, ACT_TOL = 1e-4, FOLD_TOL = 2.2e-7;
    /** Mean absolute log-mel distance of the resynthesis to its input: the reference gets 0.423. */
    static final double QUALITY_MAX = 0.45;
    static Map<String, Tensor> golden;
    static HifiGan gan;

    @BeforeAll
    static void read() {
        golden = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        gan = HifiGan.load(SharedData.data("weights/hifigan-v2-ljspeech/generator_v2"));
    }

    @AfterAll
    static void close() {
        if (gan != null) gan.close();
    }

    @Test
    void configIsTheLjSpeechV2One() {
        HifiGanConfig c = gan.config();
        assertEquals(80, c.numMels());
        assertEquals(128, c.upsampleInitialChannel());
        assertEquals(256, c.samplesPerFrame());
        assertEquals(MelSpectrogram.hifiganLjSpeech(), c.melSpectrogram());
    }

    @Test
    void foldedWeightsMatchRemoveWeightNorm() {
        try (var src = org.synesthesia.io.WeightSources.open(SharedData.data("weights/hifigan-v2-ljspeech/generator_v2"))) {
            var w = org.synesthesia.nn.Weights.of("HiFi-GAN", src, HifiGanNames.mapping(src.names()));
            for (String name : new String[] {"conv_pre", "ups.0", "resblocks.0.convs1.0", "conv_post"}) {
                Tensor want = golden.get("folded." + name + ".weight");
                long[] shape = java.util.Arrays.stream(want.shape()).asLongStream().toArray();
                float[] got = WeightNorm.matrix(w, name, shape).heap();
                Assert.close("folded " + name, want.toArray(), got, FOLD_TOL, 0);
            }
        }
    }

    @Test
    void audioAndActivationsMatch() {
        Tracer tr = Tracer.of("conv_pre", "ups.0", "stages.0");
        long t0 = System.nanoTime();
        Tensor audio = gan.forward(golden.get("mel"), tr);
        System.err.printf("hifigan v2, %d frames -> %d samples: %.2f s%n", golden.get("mel").dim(2), audio.dim(2), (System.nanoTime() - t0) / 1e9);
        Map<String, Tensor> taps = tr.captured();
        Assert.close("act.conv_pre", golden.get("act.conv_pre"), taps.get("conv_pre"), ACT_TOL);
        Assert.close("act.ups0", golden.get("act.ups0"), taps.get("ups.0"), ACT_TOL);
        Assert.close("act.stage0_out", golden.get("act.stage0_out"), taps.get("stages.0"), ACT_TOL);
        float[] a = golden.get("audio").toArray(), b = audio.toArray();
        double mean = 0;
        for (int i = 0; i < a.length; i++) mean += Math.abs(a[i] - b[i]);
        System.err.printf("hifigan v2 audio: max |diff| %.3g, mean %.3g; conv_pre %.3g ups.0 %.3g stage0 %.3g%n", Assert.maxAbsDiff(a, b), mean / a.length,
                Assert.maxAbsDiff(golden.get("act.conv_pre").toArray(), taps.get("conv_pre").toArray()),
                Assert.maxAbsDiff(golden.get("act.ups0").toArray(), taps.get("ups.0").toArray()),
                Assert.maxAbsDiff(golden.get("act.stage0_out").toArray(), taps.get("stages.0").toArray()));
        Assert.close("audio", golden.get("audio"), audio, AUDIO_TOL);
        assertTrue(mean / a.length <= AUDIO_MEAN_TOL, "mean |diff| " + mean / a.length);

        Tensor resynth = gan.melOf(audio.toArray());
        Tensor input = golden.get("mel").reshape(80, -1);
        double d = MelSpectrogram.meanAbsLogMelDistance(input, resynth);
        System.err.printf("hifigan v2 resynthesis: mean abs log-mel distance %.4f (reference %.4f)%n", d, 0.42293673753738403);
        assertTrue(d <= QUALITY_MAX, "resynthesis log-mel distance " + d + " > " + QUALITY_MAX);
        Assert.close("mel_of_audio", golden.get("mel_of_audio").reshape(80, -1), resynth, 1e-3);
    }
}
