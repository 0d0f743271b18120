package org.synesthesia.io;

import org.synesthesia.tensor.DType;

/** ggml's tensor type ids (shared by GGUF and whisper.cpp's ggml files) and the ones this engine stores. */
final class GgmlType {
    private GgmlType() {}

    private static final String[] NAMES = {
        "F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K",
        "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16",
        "I32", "I64", "F64", "IQ1_M", "BF16", "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "TQ1_0", "TQ2_0"};

    /** The storage type of ggml type {@code id}, or null when this engine does not store it. */
    static DType dtype(long id) {
        for (DType t : DType.values())
            if (t.isWeight() && t.format().ggmlType() == id) return t;
        return switch ((int) Math.max(-1, Math.min(id, 1000))) {
            case 24 -> DType.I8;
            case 25 -> DType.I16;
            case 26 -> DType.I32;
            case 27 -> DType.I64;
            case 28 -> DType.F64;
            default -> null;
        };
    }

    /**
     * The ggml type id of {@code t}: a weight type's own ({@link org.synesthesia.tensor.WeightFormat#ggmlType}), the
     * integer and F64 types' here; U8 and BOOL are written as I8 (same bytes); Q8_ROW and PAL have none.
     */
    static int id(DType t) {
        if (t.isWeight()) {
            int id = t.format().ggmlType();
            if (id < 0) throw new IllegalArgumentException(t + " tensors are stored as an I8 tensor (PAL: plus a lookup-table tensor) described in metadata, not as one ggml type");
            return id;
        }
        return switch (t) {
            case I8, U8, BOOL -> 24;
            case I16 -> 25;
            case I32 -> 26;
            case I64 -> 27;
            case F64 -> 28;
            default -> throw new IllegalStateException("no ggml id for " + t);
        };
    }

    static String name(long id) {
        return id >= 0 && id < NAMES.length ? NAMES[(int) id] : "unknown";
    }
}
