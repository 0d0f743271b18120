package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audioldm.AudioLdm;
import org.synesthesia.audioldm.AudioLdmDuration;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.clip.ClipVisionModel;
import org.synesthesia.image.ClipImageProcessor;
import org.synesthesia.image.ImageInput;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.translator.Translator;
import org.synesthesia.util.Json;

/**
 * {@code sonify} end to end on the tiny random models: clip_vision_random (a transformers folder), a random
 * 512-256-512 translator, audioldm_random with clap_text_random's CLAP, the real roberta-base tokenizer. The sound
 * equals AudioLDM run directly on translator(CLIP(preprocess(image))), so the command is wired as it says; bad
 * images, URLs, translators and models are one line with no output.
 */
class SonifyCommandTest {
    @TempDir
    static Path models;
    static Path clip, translator, audioldm;
    static final Path IMAGE = SharedData.golden("clip_vision_random", "input_300x200.png");
    static final Path TOKENIZER = SharedData.data("tokenizers/roberta-base");

    @SuppressWarnings("unchecked")
    @BeforeAll
    static void models() throws Exception {
        clip = Files.createDirectories(models.resolve("clip-vision"));
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden("clip_vision_random", "golden.json")));
        Files.writeString(clip.resolve("config.json"), Json.write(g.get("config_full")));
        Files.createSymbolicLink(clip.resolve("model.safetensors"), SharedData.golden("clip_vision_random", "weights.safetensors").toAbsolutePath());
        translator = models.resolve("translator.safetensors");
        Translator.init(512, 256, 512, 5).save(translator, Map.of());
        Map<String, Tensor> w = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("audioldm_random", "weights.safetensors")));
        w.put("scale_factor", SafeTensors.readAll(SharedData.golden("audioldm_random", "buffers.safetensors")).get("scale_factor"));
        w.putAll(SafeTensors.readAll(SharedData.golden("clap_text_random", "weights.safetensors")));
        audioldm = models.resolve("audioldm.safetensors");
        SafeTensors.write(audioldm, w, Map.of());
    }

    private static CliRun sonify(String image, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("sonify", image, "--clip", clip.toString(), "--translator", translator.toString(),
                "--audioldm", audioldm.toString(), "--tokenizer", TOKENIZER.toString(), "--duration", "2.5", "--steps", "2", "--seed", "3",
                "--out", out.toString()));
        a.addAll(Arrays.asList(more));
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test
    void theSoundIsAudioLdmOnTheTranslatedClipEmbedding(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("picture.wav"), png = dir.resolve("picture.png");
        CliRun r = sonify(IMAGE.toString(), out, "--negative", "noise", "--mel-png", png.toString());
        assertEquals(0, r.rc(), r.err());
        float[] expected;
        try (ClipVisionModel c = ClipVisionModel.load(clip); AudioLdm m = AudioLdm.load(audioldm, null)) {
            float[] e = c.imageEmbeds(ClipImageProcessor.clip().tensor(new ImageInput().read(IMAGE.toString()))).toArray();
            Tensor cond = Tensor.of(Translator.load(translator).map(e), 1, 512);
            Tensor uncond = m.clap().embed(RobertaTokenizer.fromFolder(TOKENIZER), List.of("noise"));
            expected = m.generate(cond, uncond, 2, 2.5, 1.0, 3, AudioLdmDuration.of(2.5), AudioLdm.StepListener.NONE).waveform();
        }
        float[] got = AudioFiles.read(out).samples();
        assertEquals(40_000, got.length);
        for (int i = 0; i < got.length; i++) assertEquals(Math.max(-1, Math.min(1, expected[i])), got[i], 1.0 / 32768 + 1e-6, "sample " + i);
        String txt = Files.readString(dir.resolve("picture.txt"));
        assertTrue(txt.startsWith("Image: " + IMAGE + "\nCLIP: clip-vision, Translator: translator.safetensors, Preprocess: clip\nNegative prompt: noise\n"), txt);
        assertTrue(txt.contains("Steps: 2") && txt.contains("Seed: 3"), txt);
        assertTrue(Files.size(png) > 0);
    }

    /** The original work's preprocessing gives another embedding, so another sound. */
    @Test
    void seedPreprocessingDiffers(@TempDir Path dir) {
        Path a = dir.resolve("a.wav"), b = dir.resolve("b.wav");
        assertEquals(0, sonify(IMAGE.toString(), a).rc());
        CliRun r = sonify(IMAGE.toString(), b, "--preprocess", "seed");
        assertEquals(0, r.rc(), r.err());
        assertFalse(Arrays.equals(AudioFiles.read(a).samples(), AudioFiles.read(b).samples()));
        assertOneLineError(sonify(IMAGE.toString(), dir.resolve("c.wav"), "--preprocess", "imagenet"), "--preprocess");
    }

    @Test
    void aUrlIsFetched(@TempDir Path dir) throws Exception {
        byte[] png = Files.readAllBytes(IMAGE);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/cat.png", x -> {
            x.getResponseHeaders().add("Content-Type", "image/png");
            x.sendResponseHeaders(200, png.length);
            x.getResponseBody().write(png);
            x.close();
        });
        server.createContext("/gone.png", x -> {
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Path fromUrl = dir.resolve("url.wav"), fromFile = dir.resolve("file.wav");
            CliRun r = sonify(base + "/cat.png", fromUrl);
            assertEquals(0, r.rc(), r.err());
            assertEquals(0, sonify(IMAGE.toString(), fromFile).rc());
            assertArrayEquals(AudioFiles.read(fromFile).samples(), AudioFiles.read(fromUrl).samples());
            Path out = dir.resolve("gone.wav");
            assertOneLineError(sonify(base + "/gone.png", out), "404");
            assertFalse(Files.exists(out));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badInputsAreOneLineWithoutOutput(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("x.wav");
        Path text = Files.writeString(dir.resolve("notes.png"), "not a picture\n");
        assertOneLineError(sonify(text.toString(), out), "notes.png");
        byte[] png = Files.readAllBytes(IMAGE);
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        assertOneLineError(sonify(cut.toString(), out), "cut.png");
        assertOneLineError(sonify(dir.resolve("missing.png").toString(), out), "no such image");
        Path wide = dir.resolve("wide.safetensors");
        Translator.init(384, 256, 512, 1).save(wide, Map.of());
        assertOneLineError(CliRun.of("sonify", IMAGE.toString(), "--clip", clip.toString(), "--translator", wide.toString(), "--audioldm",
                audioldm.toString(), "--tokenizer", TOKENIZER.toString(), "--out", out.toString()), "384-d");
        Path textModel = SharedData.golden("clip_text_random_quickgelu", "weights.safetensors");
        assertOneLineError(CliRun.of("sonify", IMAGE.toString(), "--clip", textModel.toString(), "--translator", translator.toString(), "--audioldm",
                audioldm.toString(), "--tokenizer", TOKENIZER.toString(), "--out", out.toString()), "not a vision model");
        assertOneLineError(CliRun.of("sonify", IMAGE.toString(), "--clip", clip.toString(), "--translator", translator.toString(), "--audioldm",
                SharedData.golden("unet_random_sd1", "weights_ldm.safetensors").toString(), "--tokenizer", TOKENIZER.toString(),
                "--out", out.toString()), "not an AudioLDM checkpoint");
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("x.txt")));
    }

    private static void assertOneLineError(CliRun r, String text) {
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(text), r.err());
    }
}
