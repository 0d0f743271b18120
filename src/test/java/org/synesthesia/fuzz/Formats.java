package org.synesthesia.fuzz;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.Resampler;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.clip.ClipTextConfig;
import org.synesthesia.clip.ClipTokenizer;
import org.synesthesia.diffusion.scheduler.Scheduler;
import org.synesthesia.diffusion.scheduler.Schedulers;
import org.synesthesia.diffusion.unet.UNetConfig;
import org.synesthesia.diffusion.vae.VaeConfig;
import org.synesthesia.image.ImageInput;
import org.synesthesia.image.RgbImage;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.TorchFiles;
import org.synesthesia.io.TorchScriptFixture;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.text.ByteLevel;
import org.synesthesia.text.Tiktoken;
import org.synesthesia.util.Json;

/**
 * Every fuzzed format: its seeds (small valid files, generated here or read in place from the shared folder), its
 * own mutations, and what reading a mutant means (what the commands do with such a file: open a checkpoint and
 * decode its tensors, read audio and resample it to 16 kHz, decode an image, build a config or tokenizer and use it).
 */
final class Formats {
    private Formats() {}

    /** Reads one mutant file (its folder also holds the seed's companions); returns null, or why an accepted result is wrong. */
    interface Reader {
        String read(Path file, Seed seed) throws Exception;
    }

    /** A format: name, seeds, own mutations, reader. */
    record Format(String name, List<Seed> seeds, Mutator.Special special, Reader reader) {}

    static final List<String> NAMES = List.of("safetensors", "gguf", "ggml", "torch-zip", "pickle", "torchscript", "wav", "flac",
            "png", "jpeg", "bmp", "gif", "unet-config", "vae-config", "scheduler-config", "clip-config", "clip-tokenizer",
            "tiktoken", "roberta-tokenizer", "clip-vision-config", "preprocessor-config", "pair-text", "pair-shard", "dataset-csv",
            "translator", "vad-model");

    static Format get(String name, Path tmp) throws IOException {
        return switch (name) {
            case "safetensors" -> new Format(name, safetensorsSeeds(tmp), Formats::safetensorsSpecial, Formats::readWeights);
            case "gguf" -> new Format(name, ggufSeeds(tmp), Formats::nanPayload, Formats::readWeights);
            case "ggml" -> new Format(name, List.of(ggmlSeed()), null, Formats::readWeights);
            case "torch-zip" -> new Format(name, List.of(zipSeed("model.pt", TorchFiles.stateDict(List.of(
                    new TorchFiles.Entry("a.weight", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
                    new TorchFiles.Entry("a.bias", new long[] {2}, new float[] {0.5f, -0.5f}))))),
                    (s, r, k) -> craftedInZip(s, r, "archive/data.pkl"), Formats::readWeights);
            case "pickle" -> new Format(name, List.of(legacySeed()), Formats::craftedLegacy, Formats::readWeights);
            case "torchscript" -> new Format(name, List.of(zipSeed("script.pt", torchScript())),
                    (s, r, k) -> craftedInZip(s, r, "tiny/data.pkl"), Formats::readWeights);
            case "wav" -> new Format(name, wavSeeds(), Formats::wavSpecial, Formats::readAudio);
            case "flac" -> new Format(name, List.of(flacSeed()), null, Formats::readAudio);
            case "png", "jpeg", "bmp", "gif" -> new Format(name, imageSeeds(name), null, Formats::readImage);
            case "unet-config" -> new Format(name, configSeeds("unet/config.json"), Formats::jsonSpecial, (f, s) -> { UNetConfig.read(f); return null; });
            case "vae-config" -> new Format(name, configSeeds("vae/config.json"), Formats::jsonSpecial, (f, s) -> { VaeConfig.fromJson(f); return null; });
            case "scheduler-config" -> new Format(name, configSeeds("scheduler/scheduler_config.json"), Formats::jsonSpecial, Formats::readScheduler);
            case "clip-config" -> new Format(name, configSeeds("text_encoder/config.json"), Formats::jsonSpecial, (f, s) -> { ClipTextConfig.fromJson(f); return null; });
            case "clip-tokenizer" -> new Format(name, bpeSeeds("data/tokenizers/sd15"), Formats::tokenizerSpecial, Formats::readClipTokenizer);
            case "roberta-tokenizer" -> new Format(name, bpeSeeds("data/tokenizers/roberta-base"), Formats::tokenizerSpecial, Formats::readRoberta);
            case "tiktoken" -> new Format(name, List.of(tiktokenSeed()), Formats::tiktokenSpecial, Formats::readTiktoken);
            case "clip-vision-config" -> new Format(name, List.of(clipVisionConfigSeed()), Formats::jsonSpecial,
                    (f, s) -> { org.synesthesia.clip.ClipVisionConfig.fromJson(f); return null; });
            case "preprocessor-config" -> new Format(name, List.of(preprocessorConfigSeed()), Formats::jsonSpecial,
                    (f, s) -> { org.synesthesia.image.ImageProcessorConfig.read(f); return null; });
            case "pair-text" -> new Format(name, pairTextSeeds(), Formats::pairTextSpecial, Formats::readPairs);
            case "pair-shard" -> new Format(name, List.of(pairShardSeed(tmp)), Formats::safetensorsSpecial, Formats::readPairs);
            case "dataset-csv" -> new Format(name, List.of(datasetCsvSeed()), Formats::csvSpecial, Formats::readCsv);
            case "translator" -> new Format(name, List.of(translatorSeed(tmp)), Formats::safetensorsSpecial, Formats::readTranslator);
            case "vad-model" -> new Format(name, List.of(safetensorsSeed("data/weights/silero-vad/silero_vad_v6_16k.safetensors",
                    Files.readAllBytes(SharedData.require("data/weights/silero-vad/silero_vad_v6_16k.safetensors")))),
                    Formats::safetensorsSpecial, Formats::readVad);
            default -> throw new IllegalArgumentException("no fuzz format " + name + " (known: " + NAMES + ")");
        };
    }

    // ---------------------------------------------------------------- readers

    /** Opens a checkpoint as the commands do and decodes every tensor of up to 2^22 elements. */
    static String readWeights(Path file, Seed seed) {
        try (WeightSource w = WeightSources.open(file)) {
            w.metadata().forEach((k, v) -> { k.length(); v.length(); });
            for (String n : w.names()) {
                StoredTensor t = w.get(n);
                t.shapeString();
                long e = t.elements();
                if (e < 0) return "tensor " + n + " has a negative element count " + e;
                if (e <= (1 << 22)) {
                    if (t.dtype() == DType.I64 || t.dtype() == DType.I32) t.toLongs();
                    else t.toFloats();
                }
            }
        }
        return null;
    }

    /** Reads audio and resamples it to 16 kHz as {@code transcribe} and {@code mel} do; non-finite samples are wrong. */
    static String readAudio(Path file, Seed seed) {
        Audio a = AudioFiles.read(file);
        Audio r = Resampler.to16k(a);
        for (float x : r.samples()) if (!Float.isFinite(x)) return "non-finite audio sample accepted";
        return null;
    }

    static String readImage(Path file, Seed seed) {
        try (ImageInput in = new ImageInput()) {
            RgbImage img = in.readFile(file);
            img.toString();
        }
        return null;
    }

    static String readScheduler(Path file, Seed seed) {
        Scheduler s = Schedulers.fromFile(file, null);
        s.setTimesteps(20);
        float[] t = s.timesteps();
        float[] x = new float[16];
        Arrays.fill(x, 0.5f);
        for (int k = 0; k < Math.min(3, t.length); k++) x = s.step(s.scaleModelInput(x, k), k, x, null).prevSample();
        return null;
    }

    static String readClipTokenizer(Path file, Seed seed) {
        ClipTokenizer t = ClipTokenizer.fromVocabAndMerges(file.resolveSibling("vocab.json"), file.resolveSibling("merges.txt"), ClipTokenizer.END_OF_TEXT);
        t.encodeForModel("a photograph of an astronaut riding a horse, 4k");
        return null;
    }

    static String readRoberta(Path file, Seed seed) {
        RobertaTokenizer.fromFolder(file.getParent()).encode("The sound of rain on a tin roof.");
        return null;
    }

    static String readTiktoken(Path file, Seed seed) {
        new Tiktoken("fuzz", Tiktoken.readRanks(file), List.of(), ByteLevel.GPT2_PATTERN).encodeOrdinary("Hello world, fuzzing 123!");
        return null;
    }

    // ---------------------------------------------------------------- safetensors

    private static List<Seed> safetensorsSeeds(Path tmp) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        m.put("a.bias", Tensor.of(new float[] {0.5f, -0.5f}, 2));
        Path p = tmp.resolve("seed.safetensors");
        SafeTensors.write(p, m, Map.of("format", "pt"));
        List<Seed> seeds = new ArrayList<>();
        seeds.add(safetensorsSeed("generated", Files.readAllBytes(p)));
        seeds.add(safetensorsSeed("golden/torch_randn/golden.safetensors", Files.readAllBytes(SharedData.golden("torch_randn", "golden.safetensors"))));
        return seeds;
    }

    private static Seed safetensorsSeed(String name, byte[] b) {
        Seed.Layout l = new Seed.Layout();
        l.field("header length", 0, 8);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        int data = (int) (8 + n);
        l.cut(data - 1).cut(data);
        Map<String, Object> h = Json.parseObject(new String(b, 8, (int) n, StandardCharsets.UTF_8));
        for (Object v : h.values())
            if (v instanceof Map<?, ?> t && t.get("data_offsets") instanceof List<?> o)
                for (Object x : o) l.cut(data + ((Number) x).intValue());
        return l.seed(name, "model.safetensors", b);
    }

    private static Mutant safetensorsSpecial(Seed s, Random rnd, int k) {
        byte[] b = s.bytes();
        if (rnd.nextInt(4) == 0) return nanPayload(s, rnd, k);
        int n = (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        StringBuilder what = new StringBuilder("header JSON: ");
        byte[] header = JsonEdits.utf8(JsonEdits.edit(new String(b, 8, n, StandardCharsets.UTF_8), rnd, what));
        boolean fix = rnd.nextInt(3) > 0;
        long len = fix ? header.length : n;
        what.append(fix ? " (length fixed up)" : " (length kept " + n + ")");
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + b.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(len).put(header).put(b, 8 + n, b.length - 8 - n);
        return new Mutant(s, what.toString(), out.array());
    }

    /** Writes NaN, +Inf or -Inf over a random aligned float of the file's second half (the payload). */
    private static Mutant nanPayload(Seed s, Random rnd, int k) {
        byte[] b = s.bytes().clone();
        int half = b.length / 2;
        int at = (half + rnd.nextInt(Math.max(1, b.length - half - 4))) & ~3;
        float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float x = v[rnd.nextInt(3)];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, x);
        return new Mutant(s, "float " + x + " written at " + at, b);
    }

    // ---------------------------------------------------------------- GGUF

    private static List<Seed> ggufSeeds(Path tmp) throws IOException {
        Path st = tmp.resolve("gguf-src.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a.weight", Tensor.of(new float[64], 2, 32));
        m.put("a.bias", Tensor.of(new float[] {0.5f, -0.5f}, 2));
        SafeTensors.write(st, m, Map.of());
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", "fuzz").put("general.name", "fuzz").put("fuzz.u32", GgufValue.u32(7)).put("fuzz.f32", GgufValue.f32(0.5f))
                .put("fuzz.list", GgufValue.array(GgufValue.Type.STRING, List.of("a", "bb", "ccc")));
        try (WeightSource src = WeightSources.open(st)) {
            for (String n : src.names()) w.tensor(src.get(n));
            Path out = tmp.resolve("seed.gguf");
            w.write(out);
            return List.of(ggufSeed("generated", Files.readAllBytes(out)),
                    ggufSeed("data/weights/taesd-decoder/taesd-decoder.gguf", Files.readAllBytes(SharedData.data("weights/taesd-decoder/taesd-decoder.gguf"))));
        }
    }

    /** Walks a GGUF v2/v3 header: counts, key and value lengths and types, tensor infos (fields of the first 64 of each). */
    static Seed ggufSeed(String name, byte[] b) {
        Seed.Layout l = new Seed.Layout();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        l.field("magic", 0, 4).field("version", 4, 4).field("tensor count", 8, 8).field("key-value count", 16, 8);
        long nt = bb.getLong(8), nkv = bb.getLong(16);
        int p = 24;
        for (long i = 0; i < nkv; i++) {
            boolean keep = i < 64;
            if (keep) l.field("key " + i + " length", p, 8);
            p += 8 + (int) bb.getLong(p);
            if (keep) l.field("key " + i + " type", p, 4);
            int type = bb.getInt(p);
            p += 4;
            p = skipValue(bb, p, type, keep ? l : null, "key " + i);
        }
        for (long i = 0; i < nt; i++) {
            boolean keep = i < 64;
            if (keep) l.field("tensor " + i + " name length", p, 8);
            p += 8 + (int) bb.getLong(p);
            int nd = bb.getInt(p);
            if (keep) l.field("tensor " + i + " rank", p, 4);
            p += 4;
            for (int d = 0; d < nd; d++, p += 8) if (keep) l.field("tensor " + i + " dim " + d, p, 8);
            if (keep) l.field("tensor " + i + " type", p, 4).field("tensor " + i + " offset", p + 4, 8);
            p += 12;
        }
        l.cut(p);
        return l.seed(name, "model.gguf", b);
    }

    private static int skipValue(ByteBuffer bb, int p, int type, Seed.Layout l, String what) {
        int[] sizes = {1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8};
        if (type == 8) {
            if (l != null) l.field(what + " string length", p, 8);
            return p + 8 + (int) bb.getLong(p);
        }
        if (type == 9) {
            int et = bb.getInt(p);
            long n = bb.getLong(p + 4);
            if (l != null) l.field(what + " array type", p, 4).field(what + " array count", p + 4, 8);
            p += 12;
            for (long i = 0; i < n; i++) p = skipValue(bb, p, et, null, what);
            return p;
        }
        return p + sizes[type];
    }

    // ---------------------------------------------------------------- whisper.cpp ggml

    static Seed ggmlSeed() throws IOException {
        byte[] b = Files.readAllBytes(SharedData.data("configs/whisper-ggml-headers/for-tests-ggml-tiny.bin"));
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        Seed.Layout l = new Seed.Layout();
        l.field("magic", 0, 4);
        String[] hp = {"n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer", "n_text_ctx", "n_text_state",
                "n_text_head", "n_text_layer", "n_mels", "ftype"};
        for (int i = 0; i < hp.length; i++) l.field(hp[i], 4 + 4 * i, 4);
        int p = 48;
        l.field("mel count", p, 4).field("mel length", p + 4, 4);
        p += 8 + 4 * bb.getInt(p) * bb.getInt(p + 4);
        l.field("vocabulary size", p, 4);
        int nTok = bb.getInt(p);
        p += 4;
        for (int i = 0; i < nTok; i++) {
            if (i < 4 || i == nTok - 1) l.field("token " + i + " length", p, 4);
            p += 4 + bb.getInt(p);
        }
        for (int t = 0; p + 12 <= b.length; t++) {
            int nd = bb.getInt(p), nl = bb.getInt(p + 4), type = bb.getInt(p + 8);
            boolean keep = t < 48;
            if (keep) l.field("tensor " + t + " rank", p, 4).field("tensor " + t + " name length", p + 4, 4).field("tensor " + t + " type", p + 8, 4);
            long n = 1;
            for (int d = 0; d < nd; d++) {
                if (keep) l.field("tensor " + t + " dim " + d, p + 12 + 4 * d, 4);
                n *= bb.getInt(p + 12 + 4 * d);
            }
            p += 12 + 4 * nd + nl;
            long bytes = switch (type) { case 0 -> 4 * n; case 1, 30 -> 2 * n; case 2 -> n / 32 * 18; case 8 -> n / 32 * 34; default -> -1; };
            if (bytes < 0) break;
            p += (int) bytes;
        }
        return l.seed("data/configs/whisper-ggml-headers/for-tests-ggml-tiny.bin", "ggml-tiny.bin", b);
    }

    // ---------------------------------------------------------------- zips and pickles

    private static byte[] torchScript() {
        return new TorchScriptFixture("tiny", "__torch__.model.Tiny")
                .module("block", "__torch__.model.Block")
                .parameter("scale", new TorchScriptFixture.Tensor(DType.F32, new long[] {}, floats(2.5f)))
                .parameter("block.weight", new TorchScriptFixture.Tensor(DType.F32, new long[] {2, 2}, floats(1, 2, 3, 4)))
                .buffer("block.counter", new TorchScriptFixture.Tensor(DType.I64, new long[] {}, new byte[] {7, 0, 0, 0, 0, 0, 0, 0}))
                .attribute("name", "tiny").attribute("width", 4L)
                .bytes(true);
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    /** Walks a zip's local headers, central directory and end record: sizes, name lengths, offsets, counts. */
    static Seed zipSeed(String fileName, byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        Seed.Layout l = new Seed.Layout();
        for (int p = 0; p + 4 <= b.length; p++) {
            int sig = bb.getInt(p);
            if (sig == 0x04034b50 && p + 30 <= b.length) {
                l.field("local@" + p + " method", p + 8, 2).field("local@" + p + " compressed size", p + 18, 4).field("local@" + p + " size", p + 22, 4)
                        .field("local@" + p + " name length", p + 26, 2).field("local@" + p + " extra length", p + 28, 2);
                int data = p + 30 + (bb.getShort(p + 26) & 0xffff) + (bb.getShort(p + 28) & 0xffff);
                l.cut(data);
            } else if (sig == 0x02014b50 && p + 46 <= b.length) {
                l.field("central@" + p + " method", p + 10, 2).field("central@" + p + " compressed size", p + 20, 4).field("central@" + p + " size", p + 24, 4)
                        .field("central@" + p + " name length", p + 28, 2).field("central@" + p + " extra length", p + 30, 2)
                        .field("central@" + p + " local offset", p + 42, 4);
            } else if (sig == 0x06054b50 && p + 22 <= b.length) {
                l.field("end entries", p + 10, 2).field("end directory size", p + 12, 4).field("end directory offset", p + 16, 4).field("end comment length", p + 20, 2);
            }
        }
        return l.seed("generated " + fileName, fileName, b);
    }

    /** The seed zip with entry {@code pkl} replaced by a crafted pickle (stored, as torch.save writes). */
    private static Mutant craftedInZip(Seed s, Random rnd, String pkl) {
        List<Pickles.Crafted> all = Pickles.all();
        Pickles.Crafted c = all.get(rnd.nextInt(all.size()));
        try {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(s.bytes()))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) entries.put(e.getName(), in.readAllBytes());
            }
            entries.put(pkl, c.bytes());
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(bo)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    ZipEntry ze = new ZipEntry(e.getKey());
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setCrc(crc.getValue());
                    z.putNextEntry(ze);
                    z.write(e.getValue());
                    z.closeEntry();
                }
            }
            return new Mutant(s, "crafted pickle in " + pkl + ": " + c.name(), bo.toByteArray(), c.dangerous());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};

    /** A legacy (pre-1.6) torch.save file: magic, protocol 1001, sys info, the state dict pickle, storage keys, storages. */
    static byte[] legacy(byte[] rootPickle, boolean withStorage) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(LEGACY_MAGIC);
        o.writeBytes(new Pickles().proto(2).op('M').le(1001, 2).stop().bytes());
        o.writeBytes(new Pickles().proto(2).emptyDict().mark().str("protocol_version").op('M').le(1001, 2).str("little_endian").op(0x88)
                .op('u').stop().bytes());
        o.writeBytes(rootPickle);
        if (withStorage) {
            o.writeBytes(new Pickles().proto(2).emptyList().mark().str("0").op('e').stop().bytes());
            o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(6).array());
            o.writeBytes(floats(1, 2, 3, 4, 5, 6));
        } else {
            o.writeBytes(new Pickles().proto(2).emptyList().stop().bytes());
        }
        return o.toByteArray();
    }

    private static Seed legacySeed() {
        byte[] root = Pickles.stateDict(6, 0, new long[] {2, 3}, new long[] {3, 1});
        byte[] b = legacy(root, true);
        Seed.Layout l = new Seed.Layout();
        int rootAt = LEGACY_MAGIC.length + 6 + 0;
        for (int p = 0; p < b.length; p++) if (b[p] == '.') l.cut(p).cut(p + 1); // pickle ends
        l.field("storage 0 element count", b.length - 24 - 8, 8);
        l.cut(rootAt);
        return l.seed("generated legacy torch.save", "model.pt", b);
    }

    private static Mutant craftedLegacy(Seed s, Random rnd, int k) {
        List<Pickles.Crafted> all = Pickles.all();
        Pickles.Crafted c = all.get(k % all.size());
        return new Mutant(s, "crafted root pickle: " + c.name(), legacy(c.bytes(), false), c.dangerous());
    }

    // ---------------------------------------------------------------- audio

    private static List<Seed> wavSeeds() throws IOException {
        List<Seed> s = new ArrayList<>();
        short[] pcm = new short[400];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) (8000 * Math.sin(i * 0.07));
        ByteBuffer d16 = ByteBuffer.allocate(2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short x : pcm) d16.putShort(x);
        s.add(wavSeed("generated pcm16 mono 8 kHz", wav(1, 1, 8000, 16, d16.array())));
        ByteBuffer f32 = ByteBuffer.allocate(4 * 600).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 600; i++) f32.putFloat((float) Math.sin(i * 0.01));
        s.add(wavSeed("generated float32 stereo 22050 Hz", wav(3, 2, 22050, 32, f32.array())));
        byte[] d24 = new byte[3 * 300];
        for (int i = 0; i < d24.length; i++) d24[i] = (byte) (i * 7);
        s.add(wavSeed("generated pcm24 mono 16 kHz", wav(1, 1, 16000, 24, d24)));
        String shared = "data/speech/hifitts-6097/audio/bambatse_20_haggard_0331.wav";
        s.add(wavSeed(shared, Files.readAllBytes(SharedData.require(shared))));
        return s;
    }

    static byte[] wav(int format, int channels, int rate, int bits, byte[] data) {
        int block = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + data.length).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) format).putShort((short) channels).putInt(rate).putInt(rate * block).putShort((short) block).putShort((short) bits)
                .put("data".getBytes()).putInt(data.length).put(data);
        return b.array();
    }

    /** Walks RIFF chunks: RIFF size, each chunk's size, the fmt fields. */
    static Seed wavSeed(String name, byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        Seed.Layout l = new Seed.Layout();
        l.field("RIFF size", 4, 4).cut(8).cut(12);
        for (int p = 12; p + 8 <= b.length; ) {
            String id = new String(b, p, 4, StandardCharsets.US_ASCII);
            int size = bb.getInt(p + 4);
            l.field(id + " size", p + 4, 4);
            if (id.equals("fmt ")) l.field("format tag", p + 8, 2).field("channels", p + 10, 2).field("sample rate", p + 12, 4)
                    .field("byte rate", p + 16, 4).field("block align", p + 20, 2).field("bits per sample", p + 22, 2);
            p += 8 + size + (size & 1);
            l.cut(p);
        }
        return l.seed(name, "audio.wav", b);
    }

    private static Mutant wavSpecial(Seed s, Random rnd, int k) {
        if (s.bytes()[20] != 3) return null; // NaN and Inf only mean something in float samples
        byte[] b = s.bytes().clone();
        float[] v = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE};
        float x = v[rnd.nextInt(v.length)];
        int at = 44 + 4 * rnd.nextInt((b.length - 44) / 4);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(at, x);
        return new Mutant(s, "sample " + x + " written at " + at, b);
    }

    /** Walks FLAC metadata block headers and STREAMINFO's fields, and the first frame header. */
    static Seed flacSeed() throws IOException {
        String shared = "data/speech/librispeech/test-clean/1089/134691/1089-134691-0000.flac";
        byte[] b = Files.readAllBytes(SharedData.require(shared));
        Seed.Layout l = new Seed.Layout();
        l.bigEndian = true;
        l.field("magic", 0, 4);
        int p = 4;
        while (p + 4 <= b.length) {
            int head = b[p] & 0xff, len = ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            l.field("block@" + p + " type", p, 1).field("block@" + p + " length", p + 1, 3);
            if ((head & 0x7f) == 0)
                l.field("min block size", p + 4, 2).field("max block size", p + 6, 2).field("min frame size", p + 8, 3)
                        .field("max frame size", p + 11, 3).field("rate/channels/bits/samples", p + 14, 8).field("sample rate high byte", p + 14, 1)
                        .field("channels/bits byte", p + 16, 1);
            p += 4 + len;
            if ((head & 0x80) != 0) break;
        }
        l.field("first frame sync", p, 2).field("first frame block size/rate", p + 2, 1).field("first frame channels/bits", p + 3, 1)
                .field("first frame number", p + 4, 1);
        return l.seed(shared, "audio.flac", b);
    }

    // ---------------------------------------------------------------- images

    private static List<Seed> imageSeeds(String kind) throws IOException {
        BufferedImage img = new BufferedImage(24, 16, kind.equals("gif") ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 24; x++) img.setRGB(x, y, (x * 10) << 16 | (y * 15) << 8 | ((x + y) * 5));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        if (!ImageIO.write(img, kind, o)) throw new IOException("ImageIO cannot write " + kind);
        List<Seed> s = new ArrayList<>();
        s.add(imageSeed(kind, "generated 24x16 " + kind, o.toByteArray()));
        if (kind.equals("png")) s.add(imageSeed(kind, "golden/clip_vision_random/input_300x200.png", Files.readAllBytes(SharedData.golden("clip_vision_random", "input_300x200.png"))));
        return s;
    }

    /** The header fields of each image format: PNG chunks and IHDR, JPEG segments and SOF, BMP headers, GIF screen and image descriptors. */
    static Seed imageSeed(String kind, String name, byte[] b) {
        Seed.Layout l = new Seed.Layout();
        ByteBuffer be = ByteBuffer.wrap(b), le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (kind) {
            case "png" -> {
                l.bigEndian = true;
                for (int p = 8; p + 8 <= b.length; ) {
                    String type = new String(b, p + 4, 4, StandardCharsets.US_ASCII);
                    int len = be.getInt(p);
                    l.field(type + "@" + p + " length", p, 4);
                    if (type.equals("IHDR")) l.field("width", p + 8, 4).field("height", p + 12, 4).field("bit depth", p + 16, 1)
                            .field("colour type", p + 17, 1).field("compression", p + 18, 1).field("filter", p + 19, 1).field("interlace", p + 20, 1);
                    p += 12 + len;
                    l.cut(p);
                }
            }
            case "jpeg" -> {
                l.bigEndian = true;
                for (int p = 2; p + 4 <= b.length && (b[p] & 0xff) == 0xff; ) {
                    int marker = b[p + 1] & 0xff, len = be.getShort(p + 2) & 0xffff;
                    l.field(String.format("segment %02X@%d length", marker, p), p + 2, 2);
                    if (marker >= 0xc0 && marker <= 0xc3) l.field("precision", p + 4, 1).field("height", p + 5, 2).field("width", p + 7, 2).field("components", p + 9, 1)
                            .field("component 0 sampling", p + 11, 1).field("component 0 table", p + 12, 1);
                    if (marker == 0xda) { l.field("scan components", p + 4, 1); break; }
                    p += 2 + len;
                    l.cut(p);
                }
            }
            case "bmp" -> l.field("file size", 2, 4).field("pixel offset", 10, 4).field("header size", 14, 4).field("width", 18, 4)
                    .field("height", 22, 4).field("planes", 26, 2).field("bits per pixel", 28, 2).field("compression", 30, 4)
                    .field("image size", 34, 4).field("colours used", 46, 4);
            case "gif" -> {
                l.field("screen width", 6, 2).field("screen height", 8, 2).field("flags", 10, 1);
                int p = 13 + (((b[10] & 0x80) != 0) ? 3 * (2 << (b[10] & 7)) : 0);
                l.cut(p);
                while (p < b.length && b[p] == 0x21) { // extensions
                    p += 2;
                    while (p < b.length && b[p] != 0) p += 1 + (b[p] & 0xff);
                    p++;
                    l.cut(p);
                }
                if (p + 10 <= b.length && b[p] == 0x2c)
                    l.field("image left", p + 1, 2).field("image top", p + 3, 2).field("image width", p + 5, 2).field("image height", p + 7, 2)
                            .field("image flags", p + 9, 1).field("LZW code size", p + 10, 1);
                le.position(0);
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return l.seed(name, "image." + (kind.equals("jpeg") ? "jpg" : kind), b);
    }

    // ---------------------------------------------------------------- configs and tokenizers

    private static List<Seed> configSeeds(String relative) throws IOException {
        List<Seed> s = new ArrayList<>();
        for (String root : List.of("data/configs/sd15/", "data/configs/sd21/", "golden/sd_tiny/")) {
            String r = root + relative;
            Path p = SharedData.require(r);
            s.add(new Seed.Layout().seed(r, p.getFileName().toString(), Files.readAllBytes(p)));
        }
        return s;
    }

    private static Mutant jsonSpecial(Seed s, Random rnd, int k) {
        StringBuilder what = new StringBuilder("JSON: ");
        String t = JsonEdits.edit(new String(s.bytes(), StandardCharsets.UTF_8), rnd, what);
        return new Mutant(s, what.toString(), JsonEdits.utf8(t));
    }

    /** vocab.json mutated with merges.txt beside it (first 3000 merges), and merges.txt mutated with vocab.json beside it. */
    private static List<Seed> bpeSeeds(String dir) throws IOException {
        byte[] vocab = Files.readAllBytes(SharedData.require(dir + "/vocab.json"));
        String[] lines = Files.readString(SharedData.require(dir + "/merges.txt")).split("\n", -1);
        byte[] merges = (String.join("\n", Arrays.copyOf(lines, Math.min(lines.length, 3001))) + "\n").getBytes(StandardCharsets.UTF_8);
        Seed.Layout ml = new Seed.Layout();
        int off = 0;
        for (int i = 0; i < 40 && i < lines.length; i++) { off += lines[i].getBytes(StandardCharsets.UTF_8).length + 1; ml.cut(off); }
        return List.of(new Seed.Layout().cut(1).cut(vocab.length / 2).seed(dir + "/vocab.json", "vocab.json", vocab, new Seed.Companion("merges.txt", merges)),
                ml.seed(dir + "/merges.txt (first 3000)", "merges.txt", merges, new Seed.Companion("vocab.json", vocab)));
    }

    private static Mutant tokenizerSpecial(Seed s, Random rnd, int k) {
        if (s.fileName().equals("vocab.json")) {
            String text = new String(s.bytes(), StandardCharsets.UTF_8);
            int op = rnd.nextInt(6);
            if (op == 0 || op == 1) {
                long shift = op == 0 ? 1_000_000_000L : -70_000L;
                Map<String, Object> v = Json.parseObject(text);
                Map<String, Object> out = new LinkedHashMap<>();
                v.forEach((key, id) -> out.put(key, ((Number) id).longValue() + shift));
                return new Mutant(s, "every vocabulary id shifted by " + shift, JsonEdits.utf8(Json.write(out)));
            }
            return jsonSpecial(s, rnd, k);
        }
        return lineEdit(s, rnd, new String[] {"", "a", "a b c", "a  b", " ", "\u0000 \u001b", "x".repeat(100_000) + " y", "#version: 0.2",
                "\ud800 b", "zzzz qqqq", "a\tb", "\r"});
    }

    /** clip_vision_random's CLIPVisionConfig as a config.json. */
    private static Seed clipVisionConfigSeed() throws IOException {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.require("golden/clip_vision_random/golden.json")));
        byte[] b = Json.writePython(g.get("config_full")).getBytes(StandardCharsets.UTF_8);
        return new Seed.Layout().seed("golden/clip_vision_random config_full", "config.json", b);
    }

    /** openai/clip-vit-base-patch32's preprocessor_config.json, as transformers writes it. */
    private static Seed preprocessorConfigSeed() {
        String json = """
                {"crop_size": {"height": 224, "width": 224}, "do_center_crop": true, "do_convert_rgb": true, "do_normalize": true,
                 "do_rescale": true, "do_resize": true, "feature_extractor_type": "CLIPFeatureExtractor",
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_processor_type": "CLIPImageProcessor",
                 "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "rescale_factor": 0.00392156862745098,
                 "size": {"shortest_edge": 224}}
                """;
        return new Seed.Layout().seed("generated CLIPImageProcessor config", "preprocessor_config.json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** The original work's per-sample pair files in both of its layouts (16 values a side). */
    private static List<Seed> pairTextSeeds() {
        StringBuilder a = new StringBuilder("CLIP Embedding:\n"), clip = new StringBuilder(), clap = new StringBuilder();
        Random r = new Random(5);
        for (int i = 0; i < 16; i++) a.append(String.format(java.util.Locale.ROOT, "%.18e%n", r.nextGaussian()));
        a.append("\n\nCLAP Embedding:\n");
        for (int i = 0; i < 16; i++) a.append(String.format(java.util.Locale.ROOT, "%.18e%n", r.nextGaussian()));
        for (int i = 0; i < 16; i++) {
            clip.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.4e", r.nextGaussian()));
            clap.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.4f", r.nextGaussian()));
        }
        String b = "embedding CLIP\ntensor([[" + clip + "]], device='cuda:0', dtype=torch.float16)\nembedding CLAP\ntensor([" + clap
                + "], device='cuda:0', grad_fn=<SelectBackward0>)";
        byte[] ab = a.toString().getBytes(StandardCharsets.UTF_8), bb = b.getBytes(StandardCharsets.UTF_8);
        return List.of(new Seed.Layout().cut(16).cut(ab.length / 2).seed("generated savetxt pair", "muestra_0.txt", ab),
                new Seed.Layout().cut(15).cut(bb.length / 2).seed("generated printed-tensor pair", "embedding_1.txt", bb));
    }

    private static Mutant pairTextSpecial(Seed s, Random rnd, int k) {
        return lineEdit(s, rnd, new String[] {"", "nan", "inf", "-inf", "1e999", "CLIP Embedding:", "CLAP Embedding:", "embedding CLAP",
                "tensor([[", "]]", "1,2,3", "...", "\u001b[2J", "0x1p3", "--1", "tensor([1., ..., 2.])"});
    }

    /** A pair shard as embed writes it (3 rows of 8 and 6 values). */
    private static Seed pairShardSeed(Path tmp) throws IOException {
        Random r = new Random(6);
        float[] a = new float[24], b = new float[18];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        Path p = tmp.resolve("pairs-00000.safetensors");
        org.synesthesia.translator.PairFiles.writeShard(p, new org.synesthesia.translator.EmbeddingPairs(a, 8, b, 6, List.of("r0", "r1", "r2")),
                Map.of("source", "fuzz.csv"));
        return safetensorsSeed("generated pair shard", Files.readAllBytes(p));
    }

    /** A translator (4 -> 5 -> 5 -> 3) as train-translator writes it. */
    private static Seed translatorSeed(Path tmp) throws IOException {
        Path p = tmp.resolve("translator.safetensors");
        org.synesthesia.translator.Translator.init(4, 5, 3, 7).save(p, Map.of("loss", "mse"));
        return safetensorsSeed("generated translator", Files.readAllBytes(p));
    }

    private static String readPairs(Path f, Seed s) {
        org.synesthesia.translator.EmbeddingPairs p = org.synesthesia.translator.PairFiles.read(f);
        for (float v : p.clip()) if (!Float.isFinite(v)) return "non-finite CLIP value accepted";
        for (float v : p.clap()) if (!Float.isFinite(v)) return "non-finite CLAP value accepted";
        return null;
    }

    private static String readTranslator(Path f, Seed s) {
        org.synesthesia.translator.Translator t = org.synesthesia.translator.Translator.load(f);
        float[] y = t.map(new float[t.in()]);
        return y.length == t.out() ? null : "translator output of " + y.length + " values, expected " + t.out();
    }

    /** Silero VAD bound over the mutant and run on two windows of a tone, as `vad` does. */
    private static String readVad(Path f, Seed s) {
        try (org.synesthesia.io.WeightSource src = org.synesthesia.vad.SileroVad.open(f)) {
            org.synesthesia.vad.SileroVad vad = new org.synesthesia.vad.SileroVad(org.synesthesia.vad.SileroVad.weights(src));
            float[] audio = new float[2 * org.synesthesia.vad.SileroVad.WINDOW];
            for (int i = 0; i < audio.length; i++) audio[i] = (float) (0.3 * Math.sin(i * 0.2));
            for (float p : vad.probabilities(audio)) if (!(p >= 0 && p <= 1)) return "speech probability " + p + " accepted";
            return null;
        }
    }

    /** An AudioCaps CSV as the dataset ships it (quoted captions with commas and quotes). */
    private static Seed datasetCsvSeed() {
        String csv = "audiocap_id,youtube_id,start_time,caption\n"
                + "91139,r1nicOVtvkQ,130,A woman talks nearby as water pours\n"
                + "58146,UDGBjjwyaqE,20,\"Multiple clanging and clanking sounds, then a \"\"pop\"\"\"\n"
                + "11542,3eJ9RynJzP8,0,\"A man speaks,\nthen a dog barks\"\n";
        byte[] b = csv.getBytes(StandardCharsets.UTF_8);
        Seed.Layout l = new Seed.Layout();
        for (int i = 0; i < b.length; i++) if (b[i] == '\n' || b[i] == '"' || b[i] == ',') l.cut(i).cut(i + 1);
        return l.seed("generated AudioCaps CSV", "train.csv", b);
    }

    private static Mutant csvSpecial(Seed s, Random rnd, int k) {
        return lineEdit(s, rnd, new String[] {"", "\"", "\"unclosed,1,2,3", "a,b", ",,,", "1,2,3,\"\"\"\"", "\u0000,\u0000,\u0000,\u0000",
                "1,2,3," + "x".repeat(5000), "\r", "1;2;3;4", "\uFEFFaudiocap_id,youtube_id,start_time,caption"});
    }

    private static String readCsv(Path f, Seed s) {
        try (org.synesthesia.text.CsvReader r = org.synesthesia.text.CsvReader.open(f, org.synesthesia.text.CsvReader.delimiterFor(f))) {
            while (r.next() != null) {
                // every row parsed
            }
        }
        return null;
    }

    private static Seed tiktokenSeed() throws IOException {
        String[] lines = Files.readString(SharedData.require("data/tokenizers/gpt2.tiktoken")).split("\n", -1);
        byte[] b = (String.join("\n", Arrays.copyOf(lines, Math.min(lines.length, 3000))) + "\n").getBytes(StandardCharsets.UTF_8);
        Seed.Layout l = new Seed.Layout();
        int off = 0;
        for (int i = 0; i < 40; i++) { off += lines[i].length() + 1; l.cut(off); l.cut(off - 2); }
        return l.seed("data/tokenizers/gpt2.tiktoken (first 3000 ranks)", "gpt2.tiktoken", b);
    }

    private static Mutant tiktokenSpecial(Seed s, Random rnd, int k) {
        return lineEdit(s, rnd, new String[] {"", "IQ== -1", "IQ== 2147483647", "IQ== 9999999999", "!!!! 5", "IQ==", "IQ== 1 2", "IQ== 0",
                "IQ==  3", "\u001b[2J 4", "=== 7", "IQ== 1e3", "IQ== 00000000000000000000000007"});
    }

    /** One line replaced by, or inserted as, one of {@code lines}. */
    private static Mutant lineEdit(Seed s, Random rnd, String[] lines) {
        List<String> all = new ArrayList<>(Arrays.asList(new String(s.bytes(), StandardCharsets.UTF_8).split("\n", -1)));
        int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(all.size(), 50)) : rnd.nextInt(all.size());
        String line = lines[rnd.nextInt(lines.length)];
        boolean insert = rnd.nextBoolean();
        if (insert) all.add(at, line);
        else all.set(at, line);
        return new Mutant(s, (insert ? "inserted" : "replaced") + " line " + at + " with '" + JsonEdits.clip(line.replace("\u001b", "\\e").replace("\u0000", "\\0")) + "'",
                String.join("\n", all).getBytes(StandardCharsets.UTF_8));
    }
}
