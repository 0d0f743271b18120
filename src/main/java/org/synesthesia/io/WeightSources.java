package org.synesthesia.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * Opens any checkpoint a user has, choosing the reader by the file's first bytes (never by its name):
 * <ul>
 *   <li>{@code PK\3\4} (or an empty zip's {@code PK\5\6}): a PyTorch zip checkpoint ({@link TorchZip}), or a
 *       TorchScript archive ({@code torch.jit.save}, e.g. openai's CLIP {@code .pt}; format {@code torchscript}) whose
 *       module tree is read as data and named as its {@code state_dict()};</li>
 *   <li>{@code 0x80 0x02 0x8a 0x0a} + PyTorch's magic number: a legacy torch pickle ({@link TorchLegacy});</li>
 *   <li>{@code GGUF}: {@link Gguf}; {@code lmgg} (0x67676d6c little-endian): whisper.cpp ggml ({@link WhisperGgml});</li>
 *   <li>a u64 header length that fits the file followed by {@code '{'}: {@link SafeTensors}.</li>
 * </ul>
 *
 * <p>A folder is opened as one source, its tensors merged:
 * <ol>
 *   <li>with {@code model_index.json} (a diffusers pipeline): each component folder named there that holds
 *       weights (unet, vae, text_encoder, ...) is opened as below and its tensors are named
 *       {@code COMPONENT/NAME}, e.g. {@code unet/conv_in.weight}; its metadata keys likewise;</li>
 *   <li>with a {@code *.safetensors.index.json} (preferred) or other {@code *.index.json} (Hugging Face shards):
 *       the shards its {@code weight_map} lists, every listed tensor checked present in its shard;</li>
 *   <li>otherwise its weight files ({@code .safetensors}, else {@code .bin .pt .pth .ckpt}, else {@code .gguf});
 *       where several exist, files without a variant infix ({@code model.safetensors}, not
 *       {@code model.fp16.safetensors}) are preferred; all chosen files are merged.</li>
 * </ol>
 * A name found in two files of one folder is an error naming both.
 */
public final class WeightSources {
    private WeightSources() {}

    private static final List<String> TORCH_EXT = List.of(".bin", ".pt", ".pth", ".ckpt");

    public static WeightSource open(Path path) {
        if (!Files.exists(path)) throw SynesthesiaException.inFile(path, "no such file or folder");
        if (Files.isDirectory(path)) return openFolder(path);
        return switch (detect(path)) {
            case SAFETENSORS -> SafeTensors.open(path);
            case TORCH_ZIP -> TorchZip.open(path);
            case TORCH_LEGACY -> TorchLegacy.open(path);
            case GGUF -> Gguf.open(path);
            case WHISPER_GGML -> WhisperGgml.open(path);
            case UNKNOWN -> throw SynesthesiaException.inFile(path, "not a recognised checkpoint (looked for safetensors, PyTorch zip or pickle, GGUF, ggml)");
        };
    }

    public enum Format { SAFETENSORS, TORCH_ZIP, TORCH_LEGACY, GGUF, WHISPER_GGML, UNKNOWN }

    /** The format by magic bytes. */
    public static Format detect(Path file) {
        byte[] head = new byte[16];
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            ByteBuffer b = ByteBuffer.wrap(head);
            while (b.hasRemaining() && ch.read(b) > 0) { /* fill */ }
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot read: " + e.getMessage());
        }
        ByteBuffer le = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        if (size >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))) return Format.TORCH_ZIP;
        if (size >= 14 && (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a && head[3] == 10) {
            byte[] magic = TorchLegacy.MAGIC.toByteArray(); // big-endian
            boolean match = true;
            for (int i = 0; i < 10; i++) match &= head[4 + i] == magic[magic.length - 1 - i];
            if (match) return Format.TORCH_LEGACY;
        }
        if (size >= 4 && le.getInt(0) == Gguf.MAGIC) return Format.GGUF;
        if (size >= 4 && le.getInt(0) == WhisperGgml.MAGIC) return Format.WHISPER_GGML;
        if (size >= 9) {
            long n = le.getLong(0);
            // a header length past the end (a cut file) is still safetensors: its reader says "truncated"
            if (n > 1 && n <= 100_000_000L && head[8] == '{') return Format.SAFETENSORS;
        }
        return Format.UNKNOWN;
    }

    private static WeightSource openFolder(Path dir) {
        Path index = dir.resolve("model_index.json");
        if (Files.isRegularFile(index)) {
            Map<String, Object> m = readJson(index);
            List<MergedSource.Part> parts = new ArrayList<>();
            try {
                for (Map.Entry<String, Object> e : m.entrySet()) {
                    Path comp = dir.resolve(e.getKey());
                    if (e.getKey().startsWith("_") || !(e.getValue() instanceof List<?>) || !Files.isDirectory(comp)) continue;
                    if (weightFiles(comp).isEmpty() && indexFile(comp) == null) continue;
                    parts.add(new MergedSource.Part(e.getKey() + "/", openFolder(comp), null));
                }
            } catch (RuntimeException ex) {
                for (MergedSource.Part p : parts) p.source().close();
                throw ex;
            }
            if (parts.isEmpty()) throw SynesthesiaException.inFile(dir, "a diffusers folder whose components hold no weight files");
            return new MergedSource(dir.toString(), "diffusers", parts, Map.of());
        }
        Path shardIndex = indexFile(dir);
        if (shardIndex != null) return openShards(dir, shardIndex);
        List<Path> files = weightFiles(dir);
        if (files.isEmpty()) throw SynesthesiaException.inFile(dir, "holds no weight files (.safetensors, .bin, .pt, .pth, .ckpt, .gguf) and no model_index.json");
        if (files.size() == 1) return open(files.get(0));
        List<MergedSource.Part> parts = new ArrayList<>();
        try {
            for (Path f : files) parts.add(new MergedSource.Part("", open(f), null));
        } catch (RuntimeException ex) {
            for (MergedSource.Part p : parts) p.source().close();
            throw ex;
        }
        return new MergedSource(dir.toString(), parts.get(0).source().format(), parts, Map.of());
    }

    private static WeightSource openShards(Path dir, Path indexPath) {
        Map<String, Object> index = readJson(indexPath);
        if (!(index.get("weight_map") instanceof Map<?, ?> wm)) throw SynesthesiaException.inFile(indexPath, "has no weight_map");
        Map<String, Set<String>> byFile = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : wm.entrySet()) byFile.computeIfAbsent(String.valueOf(e.getValue()), k -> new LinkedHashSet<>()).add(String.valueOf(e.getKey()));
        Map<String, String> meta = new LinkedHashMap<>();
        if (index.get("metadata") instanceof Map<?, ?> md) md.forEach((k, v) -> meta.put(String.valueOf(k), v instanceof String s ? s : Json.write(v)));
        List<MergedSource.Part> parts = new ArrayList<>();
        try {
            for (Map.Entry<String, Set<String>> e : byFile.entrySet()) {
                Path shard = dir.resolve(e.getKey());
                if (!Files.isRegularFile(shard)) throw SynesthesiaException.inFile(indexPath, "lists shard " + e.getKey() + ", which is missing");
                WeightSource s = open(shard);
                parts.add(new MergedSource.Part("", s, e.getValue()));
                for (String n : e.getValue())
                    if (!s.contains(n)) throw SynesthesiaException.inFile(shard, "lacks tensor " + n + " that " + indexPath.getFileName() + " places there");
            }
        } catch (RuntimeException ex) {
            for (MergedSource.Part p : parts) p.source().close();
            throw ex;
        }
        return new MergedSource(dir.toString(), parts.isEmpty() ? "empty" : parts.get(0).source().format() + " (" + parts.size() + " shards)", parts, meta);
    }

    private static Path indexFile(Path dir) {
        List<Path> all = list(dir, "*.index.json");
        for (Path p : all) if (p.getFileName().toString().endsWith(".safetensors.index.json")) return p;
        return all.isEmpty() ? null : all.get(0);
    }

    /** The weight files of a folder without an index (see the class comment). */
    static List<Path> weightFiles(Path dir) {
        List<Path> chosen = new ArrayList<>();
        for (List<String> exts : List.of(List.of(".safetensors"), TORCH_EXT, List.of(".gguf"))) {
            for (Path p : list(dir, "*"))
                for (String ext : exts)
                    if (p.getFileName().toString().endsWith(ext) && Files.isRegularFile(p)) chosen.add(p);
            if (!chosen.isEmpty()) break;
        }
        List<Path> plain = new ArrayList<>();
        for (Path p : chosen) {
            String n = p.getFileName().toString();
            String stem = n.substring(0, n.lastIndexOf('.'));
            if (!stem.contains(".")) plain.add(p);
        }
        return plain.isEmpty() ? chosen : plain;
    }

    private static List<Path> list(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(out::add);
        } catch (IOException e) {
            throw SynesthesiaException.inFile(dir, "cannot list: " + e.getMessage());
        }
        out.sort(null);
        return out;
    }

    private static Map<String, Object> readJson(Path p) {
        try {
            return Json.parseObject(Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw SynesthesiaException.inFile(p, "cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw SynesthesiaException.inFile(p, "not valid JSON (" + e.getMessage() + ")");
        }
    }

}
