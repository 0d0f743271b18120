package org.synesthesia.cli.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.synesthesia.audio.MelFilters;
import org.synesthesia.io.MemoryWeightSource;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.RandomWhisper;
import org.synesthesia.whisper.WhisperConfig;

/**
 * Writes a whisper.cpp ggml model file ({@code ggml-SIZE.bin}, see {@link org.synesthesia.io.WhisperGgml}) with the
 * random weights of {@link RandomWhisper} at an official size, laid out as whisper.cpp's {@code convert-pt-to-ggml.py}
 * writes it: ftype 1 (F16 matrices), F32 vectors, F32 positional embeddings, convolution biases as [n, 1], openai's
 * mel filterbank [n_mels, 201], and the vocabulary of a tiktoken file (token bytes by rank) when one is given.
 * The same file runs in whisper-cli, so both tools can be timed on identical weights.
 */
final class RandomGgml {
    private RandomGgml() {}

    /** Writes the model of {@code size} to {@code out} (atomically: a temporary file beside it, then a rename). */
    static void write(String size, Path tiktoken, Path out) throws IOException {
        WhisperConfig c = WhisperConfig.OFFICIAL.get(size);
        if (c == null) throw new SynesthesiaException("bench: unknown whisper size '" + size + "' (known: " + String.join(", ", WhisperConfig.OFFICIAL.keySet()) + ")");
        write(c, tiktoken, out);
    }

    /** Writes a model of any config {@code c} to {@code out}. */
    static void write(WhisperConfig c, Path tiktoken, Path out) throws IOException {
        List<byte[]> vocab = tiktoken == null ? List.of() : tiktokenBytes(tiktoken);
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName().toString(), ".tmp");
        try (MemoryWeightSource src = RandomWhisper.weights(c, DType.F16, 1234);
             OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            ByteBuffer h = ByteBuffer.allocate(4 * 64).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0x67676d6c);
            for (int v : new int[] {c.nVocab(), c.nAudioCtx(), c.nAudioState(), c.nAudioHead(), c.nAudioLayer(), c.nTextCtx(),
                    c.nTextState(), c.nTextHead(), c.nTextLayer(), c.nMels(), 1}) h.putInt(v);
            float[] filters = MelFilters.whisper(c.nMels()).data();
            h.putInt(c.nMels()).putInt(filters.length / c.nMels());
            o.write(h.array(), 0, h.position());
            ByteBuffer f = ByteBuffer.allocate(4 * filters.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : filters) f.putFloat(v);
            o.write(f.array());
            o.write(le(vocab.size()));
            for (byte[] t : vocab) {
                o.write(le(t.length));
                o.write(t);
            }
            for (String name : src.names()) {
                StoredTensor t = src.get(name);
                long[] shape = name.endsWith("conv1.bias") || name.endsWith("conv2.bias") ? new long[] {t.shape()[0], 1} : t.shape();
                boolean f32 = shape.length < 2 || name.endsWith("conv1.bias") || name.endsWith("conv2.bias") || name.endsWith("positional_embedding");
                float[] v = t.toFloats();
                byte[] nb = name.getBytes(StandardCharsets.UTF_8);
                ByteBuffer th = ByteBuffer.allocate(12 + 4 * shape.length).order(ByteOrder.LITTLE_ENDIAN);
                th.putInt(shape.length).putInt(nb.length).putInt(f32 ? 0 : 1);
                for (int d = shape.length - 1; d >= 0; d--) th.putInt(Math.toIntExact(shape[d]));
                o.write(th.array());
                o.write(nb);
                ByteBuffer data = ByteBuffer.allocate(v.length * (f32 ? 4 : 2)).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    if (f32) data.putFloat(x);
                    else data.putShort(Float.floatToFloat16(x));
                }
                o.write(data.array());
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The tokens of a tiktoken file ({@code base64 rank} per line) as bytes, by rank. */
    static List<byte[]> tiktokenBytes(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            if (line.isBlank()) continue;
            String[] p = line.trim().split("\\s+");
            int rank = Integer.parseInt(p[1]);
            if (rank != out.size()) throw SynesthesiaException.inFile(file, "tiktoken ranks out of order at " + rank);
            byte[] b;
            try {
                b = Base64.getDecoder().decode(p[0]);
            } catch (IllegalArgumentException e) {
                b = new byte[0]; // an empty token ("=")
            }
            out.add(b);
        }
        return out;
    }

    private static byte[] le(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

}
