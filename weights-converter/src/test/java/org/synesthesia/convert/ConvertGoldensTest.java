package org.synesthesia.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.clip.ClipNames;
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipTextModel;
import org.synesthesia.clip.ClipVisionModel;
import org.synesthesia.diffusion.vae.AutoencoderKL;
import org.synesthesia.diffusion.unet.UNet2DConditionModel;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.io.Gguf;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.kernel.Parallel;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Snr;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.whisper.Whisper;

/**
 * Each golden's weights (both naming schemes) converted to every type and run from the converted file:
 * f32 and f16 give exactly the unconverted model's outputs (the goldens are fp16-exact); q8, q8c and the palettes give
 * outputs whose SNR against the golden is measured, held above a floor, and printed as the README's table.
 */
class ConvertGoldensTest {
    static final List<TargetType> TYPES = List.of(TargetType.F32, TargetType.F16, TargetType.Q8, TargetType.Q8C,
            TargetType.PAL8, TargetType.PAL6, TargetType.PAL4);

    @TempDir static Path tmp;

    /** model -> type -> "size, SNR" for the table printed at the end. */
    static final Map<String, Map<TargetType, String>> TABLE = new TreeMap<>();

    @BeforeAll
    static void shared() {
        SharedData.root();
    }

    @AfterAll
    static void printTable() {
        StringBuilder b = new StringBuilder("\n| type |");
        for (String m : TABLE.keySet()) b.append(' ').append(m).append(" |");
        b.append("\n|---|").append("---|".repeat(TABLE.size())).append('\n');
        for (TargetType t : TYPES) {
            b.append("| ").append(t.id()).append(" |");
            for (Map<TargetType, String> row : TABLE.values()) b.append(' ').append(row.getOrDefault(t, "")).append(" |");
            b.append('\n');
        }
        b.append("largest difference from the unconverted weights' outputs: ").append(DIFFS).append('\n');
        System.out.println(b);
    }

    static Path convert(Path input, TargetType t, String tag) throws IOException {
        Path out = tmp.resolve(tag + "-" + t.id() + ".gguf");
        // Whisper's tiktoken folder, or for a CLIP text encoder SD 1.5's tokenizer
        Path tok = tag.startsWith("clip") ? SharedData.data("tokenizers/sd15")
                : tag.startsWith("audioldm") ? null : SharedData.data("tokenizers");
        Converter.Options o = new Converter.Options(t, 0, List.of(), 0, tok, null, Parallel.threads(), false);
        Converter.convert(input, out, o);
        return out;
    }

    /**
     * Converts {@code input} to every type and runs {@code run} on each file: f32/f16 must equal {@code run} on the
     * input itself within {@code exactTol} (0: bit for bit); the others must reach {@code floorDb} SNR against {@code golden}.
     */
    static void check(String model, Path input, float[] golden, Function<Path, float[]> run, double exactTol, Map<TargetType, Double> floorDb)
            throws IOException {
        check(List.of(model), input, List.of(golden), List.of(run), exactTol, floorDb);
    }

    /** As above for several outputs of one checkpoint (one column each), converting it once per type. */
    static void check(List<String> models, Path input, List<float[]> goldens, List<Function<Path, float[]>> runs, double exactTol,
            Map<TargetType, Double> floorDb) throws IOException {
        List<float[]> unconverted = new ArrayList<>();
        for (Function<Path, float[]> run : runs) unconverted.add(run.apply(input));
        String tag = models.get(0).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_") + Integer.toHexString(input.hashCode());
        for (TargetType t : TYPES) {
            Path f = convert(input, t, tag);
            for (int k = 0; k < runs.size(); k++) {
                String model = models.get(k);
                float[] y = runs.get(k).apply(f);
                double snr = Snr.db(goldens.get(k), y);
                if (t == TargetType.F32 || t == TargetType.F16) {
                    double d = 0;
                    for (int i = 0; i < y.length; i++) d = Math.max(d, Math.abs(y[i] - unconverted.get(k)[i]));
                    assertTrue(d <= exactTol, model + " " + t.id() + ": differs from the unconverted model by " + d);
                    DIFFS.merge(t, d, Math::max);
                } else {
                    assertTrue(snr >= floorDb.get(t), String.format(Locale.ROOT, "%s %s: output SNR %.1f dB < %.1f dB", model, t.id(), snr, floorDb.get(t)));
                }
                TABLE.computeIfAbsent(model, m -> new TreeMap<>()).put(t, String.format(Locale.ROOT, "%s, %s", ConvertCommand.bytes(Files.size(f)),
                        snr == Double.POSITIVE_INFINITY ? "exact" : String.format(Locale.ROOT, "%.1f dB", snr)));
            }
            Files.delete(f);
        }
    }

    /** Largest difference from the unconverted model seen for f32 and f16. */
    static final Map<TargetType, Double> DIFFS = new java.util.concurrent.ConcurrentHashMap<>();

    static final Map<TargetType, Double> FLOORS = Map.of(TargetType.Q8, 25.0, TargetType.Q8C, 25.0, TargetType.PAL8, 25.0,
            TargetType.PAL6, 15.0, TargetType.PAL4, 5.0);

    static int[] ints(Tensor t) {
        float[] f = t.toArray();
        int[] a = new int[f.length];
        for (int i = 0; i < f.length; i++) a[i] = (int) f[i];
        return a;
    }

    @Test
    void whisperLogits() throws IOException {
        for (String file : List.of("weights.safetensors", "model.pt")) {
            Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("whisper_tiny_random", "golden.safetensors"));
            int[] prefix = ints(g.get("tokens.prefix"));
            check("whisper tiny logits (" + file + ")", SharedData.golden("whisper_tiny_random", file), g.get("logits.prefix").toArray(), p -> {
                try (Whisper w = Whisper.load(p)) {
                    return w.forward(g.get("mel"), prefix, Tracer.NONE).toArray();
                }
            }, 0, FLOORS);
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void clipTextLastHiddenState() throws IOException {
        for (String set : List.of("clip_text_random_gelu", "clip_text_random_quickgelu")) {
            Path json = SharedData.golden(set, "golden.json");
            Map<String, Object> gj = Json.parseObject(Files.readString(json));
            ClipTextConfig c = ClipTextConfig.fromMap((Map<String, Object>) gj.get("config"), json.toString());
            Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
            int[] ids = ints(g.get("input_ids"));
            List<String> files = new ArrayList<>(List.of("weights.safetensors"));
            if (Files.exists(SharedData.root().resolve("golden").resolve(set).resolve("weights_ldm_openclip.safetensors"))) files.add("weights_ldm_openclip.safetensors");
            for (String file : files)
                check("CLIP text " + set.substring("clip_text_random_".length()) + " (" + file + ")", SharedData.golden(set, file),
                        g.get("last_hidden_state").toArray(), p -> {
                            try (WeightSource src = WeightSources.open(p)) {
                                return ClipTextModel.bind(ClipNames.of(src), c).forward(ids, ids.length / 77, Tracer.NONE).lastHiddenState().toArray();
                            }
                        }, 0, FLOORS);
        }
    }

    /** The CLIP image encoder from a transformers folder (config.json + weights); the converted file carries its config. */
    @Test
    void clipVisionImageEmbeds() throws IOException {
        Path folder = ConvertClipVisionTest.folder(tmp.resolve("clip-vision"));
        Map<String, Tensor> g = ConvertClipVisionTest.golden();
        check("CLIP vision image_embeds", folder, g.get("image_embeds").toArray(), p -> {
            try (ClipVisionModel m = ClipVisionModel.load(p)) {
                return m.imageEmbeds(g.get("pixel_values")).toArray();
            }
        }, 0, FLOORS);
    }

    @SuppressWarnings("unchecked")
    @Test
    void unetNoisePrediction() throws IOException {
        for (String set : List.of("unet_random_sd1", "unet_random_sd2"))
            for (String file : List.of("weights_diffusers.safetensors", "weights_ldm.safetensors")) {
                Map<String, Object> gj = Json.parseObject(Files.readString(SharedData.golden(set, "golden.json")));
                UNetConfig c = UNetConfig.fromJson((Map<String, Object>) gj.get("config_args"));
                Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
                check("UNet " + set.substring("unet_random_".length()) + " (" + file + ")", SharedData.golden(set, file), g.get("noise_pred.t981").toArray(), p -> {
                    try (WeightSource src = WeightSources.open(p)) {
                        UNet2DConditionModel u = new UNet2DConditionModel(c, UNet2DConditionModel.weights(src, c.layersPerBlock()));
                        return u.forward(g.get("latents"), 981, g.get("encoder_hidden_states"), Tracer.NONE).toArray();
                    }
                }, 0, FLOORS);
            }
    }

    @SuppressWarnings("unchecked")
    @Test
    void vaeDecode() throws IOException {
        Map<String, Object> gj = Json.parseObject(Files.readString(SharedData.golden("vae_random", "golden.json")));
        VaeConfig c = VaeConfig.fromMap((Map<String, Object>) gj.get("config_full"), "golden.json");
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("vae_random", "golden.safetensors"));
        for (String file : List.of("weights_diffusers.safetensors", "weights_ldm.safetensors"))
            check("VAE decode (" + file + ")", SharedData.golden("vae_random", file), g.get("decoded").toArray(), p -> {
                try (AutoencoderKL vae = AutoencoderKL.load(WeightSources.open(p), c, true)) {
                    return vae.decode(g.get("latent_z")).toArray();
                }
            }, 0, FLOORS);
    }

    /** AudioLDM (audioldm_random with its scale_factor): the UNet's eps at t = 801, the mel VAE's decode and the vocoder. */
    @Test
    void audioLdmParts() throws IOException {
        Map<String, Tensor> w = new java.util.LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("audioldm_random", "weights.safetensors")));
        w.put("scale_factor", SafeTensors.readAll(SharedData.golden("audioldm_random", "buffers.safetensors")).get("scale_factor"));
        Path ckpt = tmp.resolve("audioldm_random.safetensors");
        SafeTensors.write(ckpt, w, Map.of());
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden("audioldm_random", "golden.safetensors"));
        check(List.of("AudioLDM UNet eps", "AudioLDM mel VAE decode", "AudioLDM vocoder"), ckpt,
                List.of(g.get("unet.eps.t801").toArray(), g.get("vae.decode").toArray(), g.get("vocoder.wave").toArray()), List.of(
                        p -> {
                            try (AudioLdm m = AudioLdm.load(p, null)) {
                                return m.unet().forward(g.get("in.unet_x"), 801, null, g.get("in.cond_film"), Tracer.NONE).toArray();
                            }
                        },
                        p -> {
                            try (AudioLdm m = AudioLdm.load(p, null)) {
                                return m.vae().decode(g.get("in.vae_z")).toArray();
                            }
                        },
                        p -> {
                            try (AudioLdm m = AudioLdm.load(p, null)) {
                                return m.vocode(g.get("in.vocoder_mel"));
                            }
                        }), 0, FLOORS);
    }

    @Test
    void convertedFilesDescribeThemselves() throws IOException {
        Path f = convert(SharedData.golden("whisper_tiny_random", "weights.safetensors"), TargetType.PAL4, "describe");
        try (Gguf g = Gguf.open(f)) {
            assertEquals("whisper", g.metadata().get("general.architecture"));
            assertEquals("pal4", g.metadata().get("synesthesia.converter.type"));
            assertEquals("1", g.metadata().get("synesthesia.format_version"));
            assertEquals("80", g.metadata().get("whisper.n_mels"));
            assertEquals("tiktoken", g.metadata().get("tokenizer.ggml.model"));
        }
    }
}
