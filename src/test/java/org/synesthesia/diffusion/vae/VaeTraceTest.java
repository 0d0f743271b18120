package org.synesthesia.diffusion.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.cli.Main;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.testing.Traces;

/** {@code synesthesia trace} on the golden VAE and the real TAESD decoder, in-process. */
class VaeTraceTest {
    static final String SET = "vae_random";
    static Map<String, Tensor> golden;
    static Map<String, Tensor> inter;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() {
        golden = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        inter = SafeTensors.readAll(SharedData.golden(SET, "intermediates.safetensors"));
    }

    @Test
    void decoderFromLdmFile() throws Exception {
        Map<String, Tensor> taps = Traces.run(dir, SharedData.golden(SET, "weights_ldm.safetensors"), Map.of("latent_sample", golden.get("latent_z")),
                "--capture", "decoder.up_blocks.*", "--capture", "post_quant_conv", "--capture", "decoder.mid_block");
        assertEquals(List.of("post_quant_conv", "decoder.mid_block", "decoder.up_blocks.0", "decoder.up_blocks.1", "output"), List.copyOf(taps.keySet()));
        for (String n : List.of("post_quant_conv", "decoder.mid_block", "decoder.up_blocks.0", "decoder.up_blocks.1"))
            Assert.close(n, inter.get("decode." + n), taps.get(n), AutoencoderKLParityTest.TOL);
        Assert.close("output", golden.get("decoded"), taps.get("output"), AutoencoderKLParityTest.TOL);
    }

    @Test
    void encoderFromDiffusersFolder() throws Exception {
        Path root = AutoencoderKLParityTest.pipelineFolder(dir.resolve("sd"));
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("taps.safetensors");
        SafeTensors.write(in, Map.of("sample", golden.get("image")), Map.of());
        assertEquals(0, Main.run("--quiet", "trace", root.resolve("vae").toString(), "--inputs", in.toString(),
                "--capture", "encoder.down_blocks.*", "--capture", "quant_conv", "--capture", "latent_dist.*", "--out", out.toString()));
        Map<String, Tensor> taps = SafeTensors.readAll(out);
        for (String n : List.of("encoder.down_blocks.0", "encoder.down_blocks.1", "quant_conv"))
            Assert.close(n, inter.get("encode." + n), taps.get(n), AutoencoderKLParityTest.TOL);
        Assert.close("mean", golden.get("enc.mean"), taps.get("latent_dist.mean"), AutoencoderKLParityTest.TOL);
        Assert.close("std", golden.get("enc.std"), taps.get("latent_dist.std"), AutoencoderKLParityTest.TOL);
        Assert.close("output", golden.get("enc.moments"), taps.get("output"), AutoencoderKLParityTest.TOL);
        // the pipeline folder: only with an explicit part
        assertEquals(0, Main.run("--quiet", "trace", root.toString(), "--inputs", in.toString(), "--part", "encoder", "--out", out.toString()));
        Assert.close("output", golden.get("enc.moments"), SafeTensors.readAll(out).get("output"), AutoencoderKLParityTest.TOL);
        assertNotEquals(0, Main.run("--quiet", "trace", root.resolve("vae").toString(), "--inputs", in.toString(), "--part", "unet", "--out", out.toString()));
    }

    @Test
    void taesdGguf() throws Exception {
        Map<String, Tensor> tg = SafeTensors.readAll(SharedData.golden("taesd_real", "golden.safetensors"));
        Path weights = SharedData.data("weights/taesd-decoder/taesd-decoder.gguf");
        Map<String, Tensor> taps = Traces.run(dir, weights, Map.of("latent_sample", tg.get("latent.clamp")), "--capture", "decoder.0");
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("taps.safetensors");
        Assert.close("decoder.0", tg.get("clamped_latent.clamp"), taps.get("decoder.0"), 1e-5);
        Assert.close("output", tg.get("decoded.clamp"), taps.get("output"), TaesdParityTest.TOL);
        assertNotEquals(0, Main.run("--quiet", "trace", weights.toString(), "--inputs", in.toString(), "--part", "encoder", "--out", out.toString()));
    }
}
