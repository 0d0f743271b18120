package org.synesthesia.convert;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;

/**
 * Which encoding each tensor gets. A <em>weight matrix</em> (a float tensor of rank at least 2 with at least
 * {@link #MIN_ELEMENTS} values that is not an embedding table) becomes {@code --type}; everything else keeps its
 * precision:
 * <ul>
 *   <li>integer buffers ({@code position_ids}) keep their type;</li>
 *   <li>rank 0 and 1 float tensors (biases, norm scales, schedule buffers) are F32;</li>
 *   <li>embedding tables ({@code token_embedding}, {@code positional_embedding}, {@code embed_tokens}, ...) and
 *       other small float tensors are F16, or F32 under {@code --type f32}; {@code --quantize-embeddings} gives
 *       embedding tables the weights' type;</li>
 *   <li>weight matrices matching a {@code --keep-f16} glob are F16.</li>
 * </ul>
 * Weights are [rows, cols] with rows = shape[0] (output channels) and cols the product of the rest, as the
 * engine's {@link org.synesthesia.kernel.WeightMatrix} reads them. Under {@code q8}, weights whose innermost
 * dimension is not a multiple of 32 (GGUF's condition for a block type: convolution kernels, odd widths) use
 * Q8_ROW. A palette's group is {@code --group-size} rows when that divides the rows, else
 * the largest divisor of the rows below it; 0 means one table per tensor.
 */
public final class TensorPlan {
    /** Smaller float tensors are not quantized (coremltools' default weight threshold). */
    public static final long MIN_ELEMENTS = 2048;

    private static final Pattern EMBEDDING = Pattern.compile(
            "(^|.*[./])(token_embedding|position_embedding|positional_embedding|embed_tokens|embed_positions|class_embedding|text_projection)(\\.weight)?");

    private final TargetType type;
    private final int groupSize;
    private final boolean embeddings;
    private final List<Pattern> keep = new ArrayList<>();

    /** {@code keepF16}: globs ({@code *} any characters, {@code ?} one), each possibly a comma-separated list. */
    public TensorPlan(TargetType type, int groupSize, List<String> keepF16) {
        this(type, groupSize, keepF16, false);
    }

    /** {@code embeddings}: embedding tables are quantized like weight matrices ({@code --quantize-embeddings}). */
    public TensorPlan(TargetType type, int groupSize, List<String> keepF16, boolean embeddings) {
        if (groupSize < 0) throw new IllegalArgumentException("group size must be >= 0, got " + groupSize);
        this.type = type;
        this.groupSize = groupSize;
        this.embeddings = embeddings;
        for (String g : keepF16) for (String part : g.split(",")) if (!part.isBlank()) keep.add(glob(part.strip()));
    }

    public TargetType type() { return type; }

    /** The encoding of {@code t}. */
    public Encoding encoding(StoredTensor t) {
        DType d = t.dtype();
        if (!d.isFloat() && !d.isQuantized()) return new Encoding.Plain(d);
        if (t.rank() <= 1) return new Encoding.Plain(DType.F32);
        if (type == TargetType.F32) return new Encoding.Plain(DType.F32);
        if (!(isWeightMatrix(t) || embeddings && isLargeMatrix(t)) || kept(t.name())) return new Encoding.Plain(DType.F16);
        long rows = t.shape()[0];
        return switch (type) {
            case F32 -> new Encoding.Plain(DType.F32);
            case F16 -> new Encoding.Plain(DType.F16);
            case Q8 -> t.shape()[t.rank() - 1] % 32 == 0 ? new Encoding.Plain(DType.Q8_0) : new Encoding.Q8Row();
            case Q8C -> new Encoding.Q8Row();
            case PAL8, PAL6, PAL4, PAL2 -> new Encoding.Pal(type.bits, group(Math.toIntExact(rows)));
        };
    }

    /** A float tensor of rank >= 2 with at least {@link #MIN_ELEMENTS} values that is not an embedding table. */
    public static boolean isWeightMatrix(StoredTensor t) {
        return isLargeMatrix(t) && !EMBEDDING.matcher(t.name()).matches();
    }

    private static boolean isLargeMatrix(StoredTensor t) {
        return t.rank() >= 2 && t.shape()[0] > 0 && t.elements() >= MIN_ELEMENTS;
    }

    boolean kept(String name) {
        for (Pattern p : keep) if (p.matcher(name).matches()) return true;
        return false;
    }

    /** Rows per palette: the requested group size if it divides {@code rows}, else its largest divisor below it. */
    int group(int rows) {
        if (groupSize == 0 || groupSize >= rows) return rows;
        for (int g = groupSize; g > 1; g--) if (rows % g == 0) return g;
        return 1;
    }

    static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toCharArray()) {
            if (c == '*') re.append(".*");
            else if (c == '?') re.append('.');
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString());
    }
}
