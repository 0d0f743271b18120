package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.Audio;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.AudioLdmFolderTest;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;

/**
 * {@code audio} end to end on audioldm_random (its weights with the scale_factor buffer, as a checkpoint stores
 * them) and clap_text_random's CLAP, with the real roberta-base tokenizer: a WAV of the generated length, the
 * sidecar, the mel PNG, and one-line errors for bad inputs.
 */
class AudioCommandTest {
    @TempDir
    static Path models;
    static Path checkpoint, withClap;
    static final Path CLAP = SharedData.golden("clap_text_random", "weights.safetensors");
    static final Path TOKENIZER = SharedData.data("tokenizers/roberta-base");

    @BeforeAll
    static void checkpoints() throws Exception {
        Map<String, Tensor> w = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("audioldm_random", "weights.safetensors")));
        w.put("scale_factor", SafeTensors.readAll(SharedData.golden("audioldm_random", "buffers.safetensors")).get("scale_factor"));
        checkpoint = models.resolve("audioldm.safetensors");
        SafeTensors.write(checkpoint, w, Map.of());
        w.putAll(SafeTensors.readAll(CLAP));
        withClap = models.resolve("audioldm_with_clap.safetensors");
        SafeTensors.write(withClap, w, Map.of());
    }

    private static CliRun audio(Path model, Path out, String... more) {
        String[] base = {"audio", "a dog barking in the rain", "--model", model.toString(), "--tokenizer", TOKENIZER.toString(), "--out", out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void writesTheSoundItsSidecarAndMel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("dog.wav"), png = dir.resolve("dog.mel.png");
        CliRun r = audio(checkpoint, out, "--clap", CLAP.toString(), "--duration", "2", "--steps", "3", "--seed", "42", "--negative", "quiet",
                "--mel-png", png.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("duration 2 s rounded up to 2.5 s"), r.err());
        Audio a = AudioFiles.read(out);
        assertEquals(16_000, a.sampleRate());
        assertEquals(40_000, a.length());
        float peak = 0;
        for (float v : a.samples()) peak = Math.max(peak, Math.abs(v));
        assertTrue(peak > 0, "silent output");
        String txt = Files.readString(dir.resolve("dog.txt"));
        assertTrue(txt.startsWith("a dog barking in the rain\nNegative prompt: quiet\n"), txt);
        assertTrue(txt.contains("Steps: 3") && txt.contains("Seed: 42") && txt.contains("CFG scale: 2.5") && txt.contains("Eta: 1.0"), txt);
        assertTrue(Files.size(png) > 0);
    }

    /**
     * A diffusers AudioLDMPipeline folder (its own text_encoder/ and tokenizer/) gives the same sound as the
     * checkpoint with the original CLAP names and the same CLAP config.json beside them (4 heads, which the tensors
     * alone do not tell).
     */
    @Test
    void pipelineFolderGivesTheSameSound(@TempDir Path dir) throws Exception {
        Path folder;
        try (AudioLdm m = AudioLdm.load(checkpoint, null)) {
            folder = AudioLdmFolderTest.buildFolder(dir, m);
        }
        Path a = dir.resolve("a.wav"), b = dir.resolve("b.wav");
        Path clap = Files.createDirectories(dir.resolve("clap")).resolve("clap.safetensors");
        Files.copy(CLAP, clap);
        Files.copy(folder.resolve("text_encoder/config.json"), clap.resolveSibling("config.json"));
        CliRun ref = audio(checkpoint, a, "--clap", clap.toString(), "--duration", "2.5", "--steps", "2", "--seed", "7");
        assertEquals(0, ref.rc(), ref.err());
        CliRun r = CliRun.of("audio", "a dog barking in the rain", "--model", folder.toString(), "--out", b.toString(), "--duration", "2.5",
                "--steps", "2", "--seed", "7");
        assertEquals(0, r.rc(), r.err());
        assertArrayEquals(AudioFiles.read(a).samples(), AudioFiles.read(b).samples());
    }

    /** The checkpoint's own CLAP gives the same sound as the same weights given with --clap; the seed fixes it. */
    @Test
    void clapInTheCheckpointAndTheSeedReproduce(@TempDir Path dir) {
        Path a = dir.resolve("a.wav"), b = dir.resolve("b.wav");
        assertEquals(0, audio(withClap, a, "--duration", "2.5", "--steps", "2", "--seed", "7").rc());
        CliRun r = audio(checkpoint, b, "--clap", CLAP.toString(), "--duration", "2.5", "--steps", "2", "--seed", "7");
        assertEquals(0, r.rc(), r.err());
        assertArrayEquals(AudioFiles.read(a).samples(), AudioFiles.read(b).samples());
    }

    @Test
    void theTokenizerIsFoundBesideTheModel(@TempDir Path dir) throws Exception {
        Path model = Files.createSymbolicLink(dir.resolve("audioldm.safetensors"), withClap);
        Path out = dir.resolve("x.wav");
        CliRun none = CliRun.of("audio", "rain", "--model", model.toString(), "--duration", "2.5", "--steps", "1", "--out", out.toString());
        assertOneLineError(none, "give --tokenizer DIR");
        Files.createSymbolicLink(dir.resolve("roberta-base"), TOKENIZER.toAbsolutePath());
        CliRun r = CliRun.of("audio", "rain", "--model", model.toString(), "--duration", "2.5", "--steps", "1", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(40_000, AudioFiles.read(out).length());
    }

    @Test
    void aStableDiffusionModelIsOneLine(@TempDir Path dir) {
        Path out = dir.resolve("x.wav");
        CliRun r = audio(SharedData.golden("unet_random_sd1", "weights_ldm.safetensors"), out, "--clap", CLAP.toString());
        assertOneLineError(r, "not an AudioLDM checkpoint");
        assertFalse(Files.exists(out));
    }

    @Test
    void missingPartsAreOneLine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("x.wav");
        // the golden's weights alone lack the scale_factor buffer
        assertOneLineError(audio(SharedData.golden("audioldm_random", "weights.safetensors"), out, "--clap", CLAP.toString()), "scale_factor");
        assertOneLineError(audio(checkpoint, out), "no CLAP text branch");
        Map<String, Tensor> w = new LinkedHashMap<>(SafeTensors.readAll(checkpoint));
        for (String gone : new String[] {"first_stage_model.vocoder.resblocks.4.convs2.1.weight", "first_stage_model.decoder.up.0.block.1.conv2.weight",
                "model.diffusion_model.output_blocks.5.1.transformer_blocks.0.attn2.to_v.weight"}) {
            Map<String, Tensor> cutW = new LinkedHashMap<>(w);
            cutW.remove(gone);
            Path cut = dir.resolve("cut.safetensors");
            SafeTensors.write(cut, cutW, Map.of());
            CliRun r = audio(cut, out, "--clap", CLAP.toString());
            assertOneLineError(r, "cut.safetensors");
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void badDurationsAndOutputsAreOneLine(@TempDir Path dir) {
        Path out = dir.resolve("x.wav");
        assertOneLineError(audio(checkpoint, out, "--duration", "0"), "--duration must be a positive");
        assertOneLineError(audio(checkpoint, out, "--duration", "-5"), "--duration must be a positive");
        assertOneLineError(audio(checkpoint, dir.resolve("x.mp3")), "--out must end in .wav");
        assertOneLineError(audio(checkpoint, out, "--steps", "0", "--clap", CLAP.toString()), "steps must be 1..1000");
        assertFalse(Files.exists(out));
    }

    private static void assertOneLineError(CliRun r, String text) {
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(text), r.err());
    }
}
