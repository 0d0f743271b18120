package org.synesthesia.convert;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.synesthesia.io.WeightSource;
import org.synesthesia.nn.ModelFamily;
import org.synesthesia.nn.NameMapping;
import org.synesthesia.nn.Weights;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * The tensors a converted file holds, named and shaped canonically whatever the input's layout: each model part
 * ({@link Part}: a family's {@link NameMapping} over the input and the prefix its names take in the file) gives
 * {@code prefix + canonical name} for every tensor it maps, looked up through {@link Weights} (so the rows of a
 * stacked tensor, such as OpenCLIP's fused q/k/v, become tensors of their own). The list is in {@link #ORDER} of
 * those names, so the input's own order never shows; input tensors no part maps (EMA copies, other components,
 * training leftovers) are {@code dropped}.
 *
 * @param tensors the output tensors in file order
 * @param dropped the input's tensors that no part maps, in the input's order
 */
record CanonicalTensors(List<Entry> tensors, List<String> dropped) {
    /**
     * One model part of the output.
     *
     * @param prefix  prepended to each canonical name in the file (e.g. {@code unet/}; "" for none)
     * @param mapping canonical name -> input name
     * @param shape   (canonical name, stored shape) -> the canonical shape, the same elements in the same order
     *                (e.g. LDM's VAE attention stores Linear weights as 1x1 convolutions [C, C, 1, 1])
     */
    record Part(String prefix, NameMapping mapping, BiFunction<String, long[], long[]> shape) {
        /** Shapes as stored. */
        Part(String prefix, NameMapping mapping) {
            this(prefix, mapping, (name, s) -> s);
        }

        /** The registered family {@code f}'s tensors in {@code src}, named and shaped as the family says. */
        static Part of(String prefix, ModelFamily f, WeightSource src) {
            return new Part(prefix, f.names(src), f::canonicalShape);
        }
    }

    /**
     * One output tensor.
     *
     * @param tensor     the input's tensor (its bytes, type and palette) under the output name and canonical shape
     * @param storedName the input's name for it, for messages
     */
    record Entry(StoredTensor tensor, String storedName) {
        String name() {
            return tensor.name();
        }
    }

    /** Names compared piece by piece, digit runs by value ({@code layers.2} before {@code layers.10}), then as strings. */
    static final Comparator<String> ORDER = CanonicalTensors::compareNatural;

    static CanonicalTensors of(WeightSource src, List<Part> parts) {
        List<Entry> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Part p : parts) {
            Weights w = Weights.of(p.prefix().isEmpty() ? "model" : p.prefix().substring(0, p.prefix().length() - 1), src, p.mapping());
            for (String c : w.canonicalNames()) {
                StoredTensor t = w.get(c); // a row block of a stacked tensor is a view of its rows
                long[] shape = p.shape().apply(c, t.shape());
                if (product(shape) != t.elements())
                    throw new SynesthesiaException(t.source() + ": tensor " + t.name() + " " + t.shapeString() + " cannot be written as "
                            + Arrays.toString(shape));
                out.add(new Entry(new StoredTensor(p.prefix() + c, t.dtype(), shape, t.data(), t.palette(), t.source()), t.name()));
            }
            used.addAll(p.mapping().canonicalToStored().values());
            for (NameMapping.RowBlock b : p.mapping().rowBlocks().values()) used.add(b.stored());
        }
        out.sort(Comparator.comparing(Entry::name, ORDER));
        for (int i = 1; i < out.size(); i++)
            if (out.get(i).name().equals(out.get(i - 1).name()))
                throw new SynesthesiaException(src.description() + ": tensors " + out.get(i - 1).storedName() + " and " + out.get(i).storedName()
                        + " both map to " + out.get(i).name());
        List<String> dropped = new ArrayList<>();
        for (String n : src.names()) if (!used.contains(n)) dropped.add(n);
        return new CanonicalTensors(List.copyOf(out), List.copyOf(dropped));
    }

    /**
     * The k-means seed of the tensor named {@code name}: {@code seed} and the name's 64-bit FNV-1a hash, mixed
     * by SplitMix64's finaliser. Depends on nothing but the two, so a tensor's palette does not depend on the
     * input's layout or order.
     */
    static long paletteSeed(long seed, String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        long z = seed * 0x9e3779b97f4a7c15L + h;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static long product(long[] s) {
        long n = 1;
        for (long d : s) n *= d;
        return n;
    }

    static int compareNatural(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i), cb = b.charAt(j);
            if (isDigit(ca) && isDigit(cb)) {
                int ei = i, ej = j;
                while (ei < a.length() && isDigit(a.charAt(ei))) ei++;
                while (ej < b.length() && isDigit(b.charAt(ej))) ej++;
                int c = compareDigits(a.substring(i, ei), b.substring(j, ej));
                if (c != 0) return c;
                i = ei;
                j = ej;
            } else {
                if (ca != cb) return Character.compare(ca, cb);
                i++;
                j++;
            }
        }
        if (i < a.length() || j < b.length()) return i < a.length() ? 1 : -1;
        return a.compareTo(b);
    }

    /** Two digit runs by value (any length), leading zeros ignored. */
    private static int compareDigits(String x, String y) {
        String a = x.replaceFirst("^0+(?=.)", ""), b = y.replaceFirst("^0+(?=.)", "");
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
