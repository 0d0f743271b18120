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
        return switch ((int) Math.max(-1, Math.min(id, 1000))) {
            case 0 -> DType.F32;
            case 1 -> DType.F16;
            case 2 -> DType.Q4_0;
            case 8 -> DType.Q8_0;
            case 24 -> DType.I8;
            case 25 -> DType.I16;
            case 26 -> DType.I32;
            case 27 -> DType.I64;
            case 28 -> DType.F64;
            case 30 -> DType.BF16;
            default -> null;
        };
    }

    /** The ggml type id of {@code t}; U8 and BOOL are written as I8 (same bytes), PAL has none. */
    static int id(DType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 8;
            case I8, U8, BOOL -> 24;
            case I16 -> 25;
            case I32 -> 26;
            case I64 -> 27;
            case F64 -> 28;
            case BF16 -> 30;
            case Q8_ROW, PAL -> throw new IllegalArgumentException(t + " tensors are stored as an I8 tensor (PAL: plus a lookup-table tensor) described in metadata, not as one ggml type");
        };
    }

    static String name(long id) {
        return id >= 0 && id < NAMES.length ? NAMES[(int) id] : "unknown";
    }
}
