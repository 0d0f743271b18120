package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SdTinyFolder;
import org.synesthesia.testing.SharedData;

/** {@code generate} on the tiny diffusers folder: the PNG is pipeline_tiny's golden image, with its parameters. */
class GenerateCommandTest {
    @TempDir
    Path tmp;
    Path model;
    Map<String, Tensor> golden;

    @BeforeEach
    void setUp() throws IOException {
        model = SdTinyFolder.sd1(tmp);
        golden = SafeTensors.readAll(SharedData.golden("pipeline_tiny", "golden.safetensors"));
    }

    @Test
    void latentsFileGivesTheGoldenImage() throws IOException {
        Path lat = SdTinyFolder.initialLatents(tmp);
        Path out = tmp.resolve("img.png");
        CliRun r = CliRun.of("generate", "a photograph of an astronaut riding a horse", "--model", model.toString(),
                "--steps", "10", "--scheduler", "ddim", "--guidance", "7.5", "--latents", lat.toString(), "--seed", "1",
                "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("generate 10/10"), r.err());
        assertGoldenPixels(out);
        String params = textChunks(Files.readAllBytes(out)).get("parameters");
        assertTrue(params.startsWith("a photograph of an astronaut riding a horse\nNegative prompt: \n"), params);
        assertTrue(params.contains("Steps: 10, Sampler: ddim, CFG scale: 7.5, Seed: 1, Size: 16x16, Model: sd_tiny"), params);
    }

    @Test
    void seed9999GivesTheGoldenImage() throws IOException {
        Path out = tmp.resolve("seeded.png");
        CliRun r = CliRun.of("generate", "a photograph of an astronaut riding a horse", "--model", model.toString(),
                "--steps", "10", "--seed", "9999", "--width", "16", "--height", "16", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertGoldenPixels(out);
    }

    @Test
    void batchWritesNumberedFilesAndPreview() throws IOException {
        Path taesd = SharedData.data("weights/taesd-decoder/taesd-decoder.gguf");
        Path out = tmp.resolve("b.png");
        CliRun r = CliRun.of("--quiet", "generate", "", "--model", model.toString(), "--steps", "2", "--scheduler", "euler-a",
                "--seed", "3", "--width", "32", "--height", "16", "--batch", "2", "--out", out.toString(),
                "--preview-every", "1", "--taesd", taesd.toString());
        assertEquals(0, r.rc(), r.err());
        BufferedImage a = ImageIO.read(out.toFile()), b = ImageIO.read(tmp.resolve("b-1.png").toFile());
        assertEquals(32, a.getWidth());
        assertEquals(16, a.getHeight());
        assertNotEquals(a.getRGB(3, 3) + a.getRGB(10, 7), b.getRGB(3, 3) + b.getRGB(10, 7));
        assertFalse(Files.exists(tmp.resolve("b.preview.png")), "the preview is removed once the image is written");
        assertTrue(textChunks(Files.readAllBytes(tmp.resolve("b-1.png"))).get("parameters").contains("Sampler: euler-a"));
    }

    @Test
    void sdCliSpellingsGiveTheGoldenImage() throws IOException {
        Path out = tmp.resolve("sdcli.png");
        CliRun r = CliRun.of("generate", "-p", "a photograph of an astronaut riding a horse", "-m", model.toString(),
                "--sampling-method", "euler_a", "--steps", "10", "-s", "9999", "-W", "16", "-H", "16", "--cfg-scale", "7.5",
                "-n", "", "-o", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(textChunks(Files.readAllBytes(out)).get("parameters").contains("Sampler: euler-a"));
        // the same run in our own spellings: the same file
        Path own = tmp.resolve("own.png");
        CliRun o = CliRun.of("generate", "a photograph of an astronaut riding a horse", "--model", model.toString(),
                "--scheduler", "euler-a", "--steps", "10", "--seed", "9999", "--width", "16", "--height", "16",
                "--guidance", "7.5", "--negative", "", "--out", own.toString());
        assertEquals(0, o.rc(), o.err());
        assertEquals(java.util.Arrays.toString(Files.readAllBytes(own)), java.util.Arrays.toString(Files.readAllBytes(out)));
        // the folder's own scheduler with sd-cli's spellings: pipeline_tiny's golden image
        Path g = tmp.resolve("g.png");
        assertEquals(0, CliRun.of("generate", "-p", "a photograph of an astronaut riding a horse", "-m", model.toString(),
                "--steps", "10", "-s", "9999", "-W", "16", "-H", "16", "-o", g.toString()).rc());
        assertGoldenPixels(g);
        Path dpm = tmp.resolve("dpm.png");
        CliRun d = CliRun.of("--quiet", "generate", "x", "-m", model.toString(), "--sampling-method", "dpm++2m", "--steps", "2",
                "-s", "1", "-W", "16", "-H", "16", "-o", dpm.toString());
        assertEquals(0, d.rc(), d.err());
        assertTrue(textChunks(Files.readAllBytes(dpm)).get("parameters").contains("Sampler: dpm++"));
    }

    @Test
    void singleDashTokensAreUnknownOptionsNotPositionals() {
        Path out = tmp.resolve("x.png");
        for (String[] c : new String[][] {
            {"generate", "a cat", "-f", "--model", model.toString(), "--out", out.toString()},
            {"generate", "a cat", "--model", model.toString(), "-x", "1", "--out", out.toString()},
            {"transcribe", "a.wav", "-x", "model.bin"}, // (-m is whisper-cli's --model there)
            {"inspect", "-f", "model.gguf"},
        }) {
            CliRun r = CliRun.of(c);
            assertEquals(1, r.rc(), String.join(" ", c));
            assertTrue(r.err().contains(c[0] + ": unknown option -"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        assertFalse(Files.exists(out));
        // a negative number is a value, '--' ends the options
        CliRun neg = CliRun.of("--quiet", "generate", "--model", model.toString(), "--steps", "1",
                "--guidance", "-1.5", "--seed", "1", "--width", "16", "--height", "16", "--out", out.toString(), "--", "-a prompt with a dash");
        assertEquals(0, neg.rc(), neg.err());
    }

    @Test
    void ddimEtaAddsSeededNoise() throws IOException {
        Path zero = tmp.resolve("e0.png"), one = tmp.resolve("e1.png"), again = tmp.resolve("e1b.png");
        String m = model.toString();
        for (String[] run : new String[][] {{"0", zero.toString()}, {"1", one.toString()}, {"1", again.toString()}}) {
            CliRun r = CliRun.of("--quiet", "generate", "a cat", "--model", m, "--scheduler", "ddim", "--steps", "3", "--seed", "5",
                    "--width", "16", "--height", "16", "--eta", run[0], "--out", run[1]);
            assertEquals(0, r.rc(), r.err());
        }
        assertEquals(java.util.Arrays.toString(Files.readAllBytes(one)), java.util.Arrays.toString(Files.readAllBytes(again)));
        assertNotEquals(java.util.Arrays.toString(pixels(zero)), java.util.Arrays.toString(pixels(one)));
        assertTrue(textChunks(Files.readAllBytes(one)).get("parameters").contains("Eta: 1.0"));
        CliRun bad = CliRun.of("generate", "a cat", "--model", m, "--scheduler", "euler", "--eta", "0.5", "--out", tmp.resolve("n.png").toString());
        assertEquals(1, bad.rc());
        assertTrue(bad.err().contains("--eta") && bad.err().contains("ddim"), bad.err());
        assertFalse(Files.exists(tmp.resolve("n.png")));
        // the tiny folder's own scheduler is DDIM: --eta needs no --scheduler there
        CliRun own = CliRun.of("--quiet", "generate", "a cat", "--model", m, "--steps", "1", "--eta", "0.5", "--width", "16", "--height", "16",
                "--out", tmp.resolve("own.png").toString());
        assertEquals(0, own.rc(), own.err());
    }

    @Test
    void previewWithoutTaesdUsesTheLatentProjection() throws IOException {
        Path out = tmp.resolve("p.png");
        CliRun r = CliRun.of("generate", "a cat", "--model", model.toString(), "--steps", "2", "--seed", "2",
                "--width", "16", "--height", "16", "--preview-every", "1", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(Files.isRegularFile(out));
        assertFalse(Files.exists(tmp.resolve("p.preview.png")));
        assertFalse(new GenerateCommand().usage().contains("default: a fast preview"), "--taesd has no default");
    }

    @Test
    void img2imgFromTheCommandLine() throws IOException {
        Path in = tmp.resolve("in.png");
        assertEquals(0, CliRun.of("--quiet", "generate", "a cat", "-m", model.toString(), "--steps", "1", "-s", "1", "-W", "24", "-H", "16",
                "-o", in.toString()).rc());
        Path out = tmp.resolve("i2i.png");
        CliRun r = CliRun.of("--quiet", "generate", "a dog", "-m", model.toString(), "-i", in.toString(), "--strength", "0.5",
                "--steps", "4", "-s", "2", "-o", out.toString());
        assertEquals(0, r.rc(), r.err());
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(24, img.getWidth(), "the init image's size");
        assertEquals(16, img.getHeight());
        assertTrue(textChunks(Files.readAllBytes(out)).get("parameters").contains("Denoising strength: 0.5"));
        Path no = tmp.resolve("no.png");
        for (String[] c : new String[][] {
            {"generate", "a", "-m", model.toString(), "--strength", "0.5", "-o", no.toString()},
            {"generate", "a", "-m", model.toString(), "-i", tmp.resolve("missing.png").toString(), "-o", no.toString()},
            {"generate", "a", "-m", model.toString(), "-i", in.toString(), "--strength", "2", "-o", no.toString()},
        }) {
            CliRun bad = CliRun.of(c);
            assertEquals(1, bad.rc(), String.join(" ", c));
            assertEquals(1, bad.err().strip().lines().count(), bad.err());
        }
        assertFalse(Files.exists(no));
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void badInputsFailWithOneLineAndNoFile() {
        Path out = tmp.resolve("x.png");
        String m = model.toString(), o = out.toString();
        String[][] cases = {
            {"generate", "p", "--model", tmp.resolve("missing").toString(), "--out", o},
            {"generate", "p", "--model", m, "--width", "100", "--out", o},
            {"generate", "p", "--model", m, "--steps", "0", "--out", o},
            {"generate", "p", "--model", m, "--steps", "x", "--out", o},
            {"generate", "p", "--model", m, "--scheduler", "lms", "--out", o},
            {"generate", "p", "--model", tmp.toString(), "--out", o},
        };
        for (String[] c : cases) {
            CliRun r = CliRun.of(c);
            assertNotEquals(0, r.rc(), String.join(" ", c));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(Files.exists(out), String.join(" ", c));
        }
    }

    @Test
    void badConfigsAndVocabularyFailInOneLineWithoutOutput() throws IOException {
        // issue 13: a present unet/config.json that says nothing used to be replaced by a config inferred from weights
        // (exit 0, another image); norm_num_groups 0, steps_offset 10000 and a negative vocabulary id were traces
        Path out = tmp.resolve("e.png");
        String[][] cases = {
            {"unet/config.json", "{}"},
            {"unet/config.json", ""},
            {"unet/config.json", "{\"_class_name\": \"UNet2DConditionModel\", \"block_out_channels\": [32, 64], \"norm_num_groups\": 0}"},
            {"scheduler/scheduler_config.json", "{\"_class_name\": \"PNDMScheduler\", \"steps_offset\": 10000}"},
            {"tokenizer/vocab.json", "{\"a</w>\": -1}"},
        };
        for (String[] c : cases) {
            Path f = model.resolve(c[0]);
            String original = Files.readString(f);
            Files.writeString(f, c[1]);
            CliRun r = CliRun.of("--quiet", "generate", "p", "--model", model.toString(), "--steps", "1", "--width", "32",
                    "--height", "32", "--out", out.toString());
            Files.writeString(f, original);
            assertNotEquals(0, r.rc(), c[0] + " " + c[1]);
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(f.getFileName().toString()) && !r.err().contains("internal error"), r.err());
            assertFalse(Files.exists(out), c[1]);
        }
    }

    private void assertGoldenPixels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        float[] ref = golden.get("image").toArray();
        int h = 16, w = 16;
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        int exact = 0;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    double v = ref[(c * h + y) * w + x] * 255.0;
                    int expected = (int) Math.rint(v);
                    int got = (img.getRGB(x, y) >> (16 - 8 * c)) & 0xff;
                    // within the image tolerance (1e-4 * 255) of a rounding boundary either neighbour is right
                    boolean boundary = Math.abs(v - Math.floor(v) - 0.5) < 0.03;
                    if (boundary) assertTrue(Math.abs(got - expected) <= 1);
                    else assertEquals(expected, got, "pixel " + c + "," + y + "," + x);
                    if (got == expected) exact++;
                }
        assertTrue(exact >= 3 * h * w - 3, exact + " exact pixels");
    }

    /** tEXt chunks of a PNG file. */
    static Map<String, String> textChunks(byte[] png) {
        Map<String, String> m = new LinkedHashMap<>();
        ByteBuffer b = ByteBuffer.wrap(png);
        b.position(8);
        while (b.remaining() >= 12) {
            int len = b.getInt();
            byte[] type = new byte[4];
            b.get(type);
            byte[] data = new byte[len];
            b.get(data);
            b.getInt();
            if (new String(type, StandardCharsets.ISO_8859_1).equals("tEXt")) {
                int z = 0;
                while (data[z] != 0) z++;
                m.put(new String(data, 0, z, StandardCharsets.ISO_8859_1), new String(data, z + 1, len - z - 1, StandardCharsets.ISO_8859_1));
            }
        }
        return m;
    }
}
