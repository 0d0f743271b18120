package org.synesthesia.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.AudioLdmDuration;
import org.synesthesia.audioldm.AudioLdmFolderTest;
import org.synesthesia.audioldm.ClapTokenizers;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.kernel.Parallel;

/**
 * {@code convert} on an AudioLDM checkpoint (audioldm_random's weights with its scale_factor buffer): the file is
 * architecture {@code audioldm} with {@code unet/}, {@code vae/} and {@code vocoder/} parts; the f16 file gives the
 * original layout's waveform at 2 DDIM steps within 1e-6, and q8 runs (its mel SNR is printed).
 */
class ConvertAudioLdmTest {
    static final String SET = "audioldm_random";
    @TempDir static Path tmp;
    static Path checkpoint;
    static Map<String, Tensor> golden;
    static AudioLdm.Result reference;

    @BeforeAll
    static void checkpoint() throws Exception {
        Map<String, Tensor> w = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden(SET, "weights.safetensors")));
        w.put("scale_factor", SafeTensors.readAll(SharedData.golden(SET, "buffers.safetensors")).get("scale_factor"));
        checkpoint = tmp.resolve("audioldm.safetensors");
        SafeTensors.write(checkpoint, w, Map.of());
        golden = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        try (AudioLdm m = AudioLdm.load(checkpoint, null)) {
            reference = run(m);
        }
    }

    static AudioLdm.Result run(AudioLdm m) {
        return m.generate(golden.get("in.cond_film"), golden.get("in.uncond_film"), 2, 2.5, 1.0, 7171, AudioLdmDuration.of(2.5),
                AudioLdm.StepListener.NONE);
    }

    static Path convert(TargetType t) throws Exception {
        return convert(checkpoint, "audioldm-" + t.id(), t);
    }

    static Path convert(Path input, String name, TargetType t) throws Exception {
        Path out = tmp.resolve(name + ".gguf");
        Converter.Options o = new Converter.Options(t, 0, List.of(), 0, null, null, Parallel.threads(), false);
        Converter.Result r = Converter.convert(input, out, o);
        assertEquals("audioldm", r.architecture());
        return out;
    }

    @Test
    void f16GivesTheOriginalWaveform() throws Exception {
        Path f16 = convert(TargetType.F16);
        try (WeightSource s = WeightSources.open(f16)) {
            assertEquals("audioldm", s.metadata().get("general.architecture"));
            for (String p : new String[] {"unet/", "vae/", "vocoder/"})
                assertTrue(s.names().stream().anyMatch(n -> n.startsWith(p)), p + " missing: " + s.names().stream().limit(5).toList());
            assertTrue(s.names().stream().allMatch(n -> n.startsWith("unet/") || n.startsWith("vae/") || n.startsWith("vocoder/")),
                    "unexpected part");
        }
        try (AudioLdm m = AudioLdm.load(f16, null)) {
            float[] a = reference.waveform(), b = run(m).waveform();
            assertEquals(a.length, b.length);
            double max = 0;
            for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
            assertTrue(max <= 1e-6, "largest waveform difference " + max);
        }
    }

    @Test
    void q8RunsAndItsMelSnrIsReported() throws Exception {
        Path q8 = convert(TargetType.Q8);
        try (AudioLdm m = AudioLdm.load(q8, null)) {
            AudioLdm.Result r = run(m);
            float[] a = reference.mel().toArray(), b = r.mel().toArray();
            double sig = 0, err = 0;
            for (int i = 0; i < a.length; i++) {
                sig += (double) a[i] * a[i];
                err += (double) (a[i] - b[i]) * (a[i] - b[i]);
            }
            double snr = 10 * Math.log10(sig / Math.max(err, 1e-30));
            System.out.printf("audioldm_random q8: mel SNR %.1f dB against the original layout (2 DDIM steps)%n", snr);
            assertTrue(Double.isFinite(snr), "mel SNR " + snr);
            assertEquals(reference.waveform().length, r.waveform().length);
        }
    }

    static float maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }

    /** A diffusers AudioLDMPipeline folder converts to the same sound, with its CLAP text encoder and that config. */
    @Test
    void pipelineFolderConvertsWithItsTextEncoder(@TempDir Path dir) throws Exception {
        Path folder;
        try (AudioLdm m = AudioLdm.load(checkpoint, null)) {
            folder = AudioLdmFolderTest.buildFolder(dir, m);
        }
        Path f16 = convert(folder, "audioldm-folder-f16", TargetType.F16);
        try (WeightSource s = WeightSources.open(f16)) {
            assertTrue(s.names().stream().anyMatch(n -> n.startsWith("text_encoder/")), "no text_encoder/ part");
        }
        try (AudioLdm f = AudioLdm.load(folder, null); AudioLdm g = AudioLdm.load(f16, null)) {
            assertTrue(g.hasClap());
            assertEquals(f.clap().config(), g.clap().config());
            float d = maxDiff(reference.waveform(), run(g).waveform());
            assertTrue(d <= 1e-6, "largest waveform difference " + d);
        }
    }

    /** A checkpoint holding its CLAP branch (cond_stage_model.model.*) writes it as text_encoder/. */
    @Test
    void checkpointClapBecomesTextEncoder() throws Exception {
        Map<String, Tensor> w = new LinkedHashMap<>(SafeTensors.readAll(checkpoint));
        w.putAll(SafeTensors.readAll(SharedData.golden("clap_text_random", "weights.safetensors")));
        Path withClap = tmp.resolve("audioldm_with_clap.safetensors");
        SafeTensors.write(withClap, w, Map.of());
        Path f16 = convert(withClap, "audioldm-clap-f16", TargetType.F16);
        try (AudioLdm a = AudioLdm.load(withClap, null); AudioLdm b = AudioLdm.load(f16, null)) {
            assertTrue(b.hasClap());
            assertEquals(a.clap().config(), b.clap().config());
            float d = maxDiff(reference.waveform(), run(b).waveform());
            assertTrue(d <= 1e-6, "largest waveform difference " + d);
        }
    }

    /**
     * With a CLAP branch, the file carries the RoBERTa tokenizer given (or found beside the input), so {@code audio}
     * needs no tokenizer folder: the stored one encodes like the folder's; without one it asks for --tokenizer.
     */
    @Test
    void clapCheckpointCarriesItsTokenizer(@TempDir Path dir) throws Exception {
        Map<String, Tensor> w = new LinkedHashMap<>(SafeTensors.readAll(checkpoint));
        w.putAll(SafeTensors.readAll(SharedData.golden("clap_text_random", "weights.safetensors")));
        Path withClap = dir.resolve("audioldm_with_clap.safetensors");
        SafeTensors.write(withClap, w, Map.of());
        Path roberta = SharedData.data("tokenizers/roberta-base");
        Path out = dir.resolve("with-tokenizer.gguf");
        Converter.convert(withClap, out, new Converter.Options(TargetType.F16, 0, List.of(), 0, roberta, null, Parallel.threads(), false));
        RobertaTokenizer folder = RobertaTokenizer.fromFolder(roberta), stored = ClapTokenizers.find(null, out, null);
        assertEquals(folder.vocabulary(), stored.vocabulary());
        assertEquals(folder.merges(), stored.merges());
        for (String text : List.of("a dog barking in the rain", "  Thunder,  <mask> rain\tand café 2024!", ""))
            assertArrayEquals(folder.encodeForModel(text).inputIds(), stored.encodeForModel(text).inputIds(), text);
        Path bare = dir.resolve("no-tokenizer.gguf");
        Converter.convert(withClap, bare, new Converter.Options(TargetType.F16, 0, List.of(), 0, null, null, Parallel.threads(), false));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> ClapTokenizers.find(null, bare, null));
        assertTrue(e.getMessage().contains("give --tokenizer DIR"), e.getMessage());
    }

    /** A checkpoint without its scale_factor buffer is refused in one line naming the file. */
    @Test
    void missingScaleFactorIsOneLine() throws Exception {
        Path bare = tmp.resolve("audioldm_no_scale.safetensors");
        SafeTensors.write(bare, SafeTensors.readAll(SharedData.golden(SET, "weights.safetensors")), Map.of());
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> convert(bare, "audioldm-no-scale", TargetType.F16));
        assertTrue(e.getMessage().contains("audioldm_no_scale.safetensors") && e.getMessage().contains("scale_factor")
                && !e.getMessage().contains("\n"), e.getMessage());
    }
}
