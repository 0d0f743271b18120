package org.synesthesia.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/** The real TAESD decoder (GGUF) against taesd.py on the taesd_real golden. */
class TaesdParityTest {
    static final String SET = "taesd_real";
    static final double TOL = 1e-4;
    static Map<String, Tensor> golden;
    static Taesd taesd;

    @BeforeAll
    static void read() {
        golden = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        taesd = Taesd.load(SharedData.data("weights/taesd-decoder/taesd-decoder.gguf"));
    }

    @AfterAll
    static void close() {
        if (taesd != null) taesd.close();
    }

    @Test
    void smallWithActivations() {
        Tracer tr = Tracer.of("decoder.0", "decoder.2", "decoder.6", "decoder.11");
        long t0 = System.nanoTime();
        Tensor y = taesd.decode(golden.get("latent.small"), tr);
        System.err.printf("taesd 16x16 -> 128x128: %.2f s%n", (System.nanoTime() - t0) / 1e9);
        Map<String, Tensor> taps = tr.captured();
        Assert.close("clamped_latent.small", golden.get("clamped_latent.small"), taps.get("decoder.0"), 1e-5);
        for (int i : new int[] {2, 6, 11})
            Assert.close("after_layer" + i, golden.get("inter.small.after_layer" + i), taps.get("decoder." + i), TOL);
        Assert.close("decoded.small", golden.get("decoded.small"), y, TOL);
    }

    @Test
    void clampCase() {
        Tracer tr = Tracer.of("decoder.0");
        Tensor y = taesd.decode(golden.get("latent.clamp"), tr);
        Assert.close("clamped_latent.clamp", golden.get("clamped_latent.clamp"), tr.captured().get("decoder.0"), 1e-5);
        Assert.close("decoded.clamp", golden.get("decoded.clamp"), y, TOL);
    }

    @Test
    @Tag("slow")
    void big512() {
        long t0 = System.nanoTime();
        Tensor y = taesd.decode(golden.get("latent.big"));
        System.err.printf("taesd 64x64 -> 512x512: %.2f s%n", (System.nanoTime() - t0) / 1e9);
        Assert.close("decoded.big", golden.get("decoded.big"), y, TOL);
    }

    @Test
    void latentScaling() {
        Tensor x = golden.get("latent.small");
        Tensor s = Taesd.scaleLatents(x);
        Assert.close("scale_latents", golden.get("scale_latents.small"), s, 1e-6);
        Assert.close("unscale_latents", golden.get("unscale_latents.scale_latents.small"), Taesd.unscaleLatents(s), 1e-5);
        assertEquals(4, taesd.latentChannels());
    }
}
