package org.synesthesia.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * numpy {@code .npy} arrays and {@code .npz} archives (a zip of {@code NAME.npy} entries, stored or deflated),
 * read as float32 {@link Tensor}s.
 *
 * <p>{@code .npy}: magic {@code \x93NUMPY}, version byte pair, header length (u16 LE for version 1, u32 LE for 2
 * and 3), a Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (80, 201), }}, then the
 * raw data. Types: float16/32/64, signed and unsigned 8-64-bit integers and bool, little- or big-endian, C or
 * Fortran order (returned in C order). float64 and 64-bit integers are rounded to float32.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([fiub])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** One {@code .npy} file. */
    public static Tensor read(Path path) {
        return parse(ReadFile.bytes(path), path.toString());
    }

    /** Every array of an {@code .npz} archive, keyed by entry name without {@code .npy}, in archive order. */
    public static Map<String, Tensor> readNpz(Path path) {
        if (!Files.exists(path)) throw SynesthesiaException.inFile(path, "no such file");
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            Enumeration<? extends ZipEntry> en = zip.entries();
            while (en.hasMoreElements()) {
                ZipEntry e = en.nextElement();
                if (e.isDirectory()) continue;
                String name = e.getName();
                byte[] bytes;
                try (InputStream in = zip.getInputStream(e)) {
                    bytes = in.readAllBytes();
                } catch (ZipException | java.io.EOFException ex) {
                    throw SynesthesiaException.inFile(path, "corrupt entry " + name + ": " + ex.getMessage());
                }
                String key = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
                out.put(key, parse(bytes, path + ", entry " + name));
            }
        } catch (ZipException e) {
            throw SynesthesiaException.inFile(path, "not an npz file (not a zip archive: " + e.getMessage() + ")");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(path, "cannot read: " + e.getMessage());
        }
        return Collections.unmodifiableMap(out);
    }

    /** Parses the bytes of one {@code .npy}; {@code name} is used in error messages. */
    public static Tensor parse(byte[] b, String name) {
        if (b.length < 10) throw SynesthesiaException.inFile(name, "truncated: not an npy array (" + b.length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++) if (b[i] != MAGIC[i]) throw SynesthesiaException.inFile(name, "not an npy array (no \\x93NUMPY magic)");
        int major = b[6];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(bb.getShort(8));
            start = 10;
        } else if (major == 2 || major == 3) {
            if (b.length < 12) throw SynesthesiaException.inFile(name, "truncated npy header");
            headerLen = Integer.toUnsignedLong(bb.getInt(8));
            start = 12;
        } else {
            throw SynesthesiaException.inFile(name, "unsupported npy version " + major);
        }
        if (start + headerLen > b.length) throw SynesthesiaException.inFile(name, "truncated: npy header of " + headerLen + " bytes");
        String header = new String(b, start, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find()) throw SynesthesiaException.inFile(name, "unsupported npy dtype in header " + header.trim());
        if (!f.find() || !s.find()) throw SynesthesiaException.inFile(name, "corrupt npy header " + header.trim());
        ByteOrder order = d.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        char kind = d.group(2).charAt(0);
        int size = Integer.parseInt(d.group(3));
        boolean ok = switch (kind) {
            case 'f' -> size == 2 || size == 4 || size == 8;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            default -> size == 1; // bool
        };
        if (!ok) throw SynesthesiaException.inFile(name, "unsupported npy dtype " + d.group(1) + kind + size);
        List<Integer> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            try {
                dims.add(Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t));
            } catch (NumberFormatException e) {
                throw SynesthesiaException.inFile(name, "corrupt npy shape (" + s.group(1) + ")");
            }
        }
        int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
        long[] longShape = java.util.Arrays.stream(shape).asLongStream().toArray();
        long count = TensorSizes.elements(name, "(the array)", longShape);
        long dataStart = start + headerLen;
        if (count > (b.length - dataStart) / size)
            throw SynesthesiaException.inFile(name, "truncated: shape " + java.util.Arrays.toString(shape) + " of " + size + "-byte elements needs more than the "
                    + (b.length - dataStart) + " bytes after the header");
        if (count > Integer.MAX_VALUE - 8) throw SynesthesiaException.inFile(name, "array too large: " + count + " elements");
        bb.order(order);
        float[] v = new float[(int) count];
        int p = (int) dataStart;
        for (int i = 0; i < v.length; i++, p += size) {
            v[i] = switch (kind) {
                case 'f' -> size == 4 ? bb.getFloat(p) : size == 8 ? (float) bb.getDouble(p) : Float.float16ToFloat(bb.getShort(p));
                case 'i' -> size == 1 ? b[p] : size == 2 ? bb.getShort(p) : size == 4 ? bb.getInt(p) : (float) bb.getLong(p);
                case 'u' -> size == 1 ? Byte.toUnsignedInt(b[p]) : size == 2 ? Short.toUnsignedInt(bb.getShort(p))
                        : size == 4 ? Integer.toUnsignedLong(bb.getInt(p)) : unsignedLongToFloat(bb.getLong(p));
                default -> b[p] != 0 ? 1f : 0f;
            };
        }
        if (f.group(1).equals("False") || shape.length < 2) return Tensor.of(v, shape);
        // Fortran order: the data is the C-order array of the reversed shape, transposed
        int[] rev = new int[shape.length], perm = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            rev[i] = shape[shape.length - 1 - i];
            perm[i] = shape.length - 1 - i;
        }
        return Tensor.of(v, rev).permute(perm).contiguous();
    }

    private static float unsignedLongToFloat(long x) {
        return x >= 0 ? (float) x : (float) ((x >>> 1) * 2.0 + (x & 1));
    }
}
