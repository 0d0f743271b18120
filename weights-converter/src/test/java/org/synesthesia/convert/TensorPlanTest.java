package org.synesthesia.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/** Which tensors become which encoding. */
class TensorPlanTest {
    private static StoredTensor t(String name, DType d, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return new StoredTensor(name, d, shape, MemorySegment.ofArray(new byte[(int) (n * Math.max(1, d.blockBytes))]), "mem");
    }

    private static String label(TensorPlan p, StoredTensor t) {
        return p.encoding(t).label();
    }

    @Test
    void weightMatricesTakeTheTypeOthersKeepPrecision() {
        TensorPlan pal4 = new TensorPlan(TargetType.PAL4, 0, List.of());
        assertEquals("PAL4/g320", label(pal4, t("unet/down_blocks.0.resnets.0.conv1.weight", DType.F16, 320, 320, 3, 3)));
        assertEquals("PAL4/g384", label(pal4, t("encoder.conv1.weight", DType.F16, 384, 80, 3)));
        assertEquals("F32", label(pal4, t("unet/down_blocks.0.resnets.0.conv1.bias", DType.F16, 320)));
        assertEquals("F32", label(pal4, t("betas", DType.F32, 1000)));
        assertEquals("F16", label(pal4, t("decoder.token_embedding.weight", DType.F32, 51865, 384)));
        assertEquals("F16", label(pal4, t("decoder.positional_embedding", DType.F32, 448, 384)));
        assertEquals("F16", label(pal4, t("text_model.embeddings.position_embedding.weight", DType.F16, 77, 768)));
        assertEquals("F16", label(pal4, t("model.decoder.embed_tokens.weight", DType.F16, 51865, 384)));
        // a linear layer inside the time embedding is a weight, not an embedding table
        assertEquals("PAL4/g1280", label(pal4, t("unet/time_embedding.linear_1.weight", DType.F16, 1280, 320)));
        assertEquals("F16", label(pal4, t("small.weight", DType.F16, 32, 32)), "under 2048 values");
        assertEquals("I64", label(pal4, t("cond_stage_model.transformer.text_model.embeddings.position_ids", DType.I64, 1, 77)));
    }

    @Test
    void embeddingsOnlyWhenAsked() {
        TensorPlan q8 = new TensorPlan(TargetType.Q8, 0, List.of(), true);
        assertEquals("Q8_0", label(q8, t("decoder.token_embedding.weight", DType.F16, 51865, 384)));
        assertEquals("Q8_0", label(q8, t("text_model.embeddings.position_embedding.weight", DType.F16, 77, 768)));
        assertEquals("F32", label(q8, t("decoder.ln.weight", DType.F16, 384)), "norms stay F32");
        assertEquals("F16", label(q8, t("small.weight", DType.F16, 32, 32)), "small tensors stay F16");
        assertEquals("F16", label(new TensorPlan(TargetType.Q8, 0, List.of("*token_embedding*"), true), t("decoder.token_embedding.weight", DType.F16, 51865, 384)));
    }

    @Test
    void q8FallsBackToPerRowForPartialBlocks() {
        TensorPlan q8 = new TensorPlan(TargetType.Q8, 0, List.of());
        assertEquals("Q8_0", label(q8, t("a.weight", DType.F16, 320, 320)));
        assertEquals("Q8_0", label(q8, t("a.weight", DType.F16, 320, 320, 1, 64)));
        assertEquals("Q8_ROW", label(q8, t("conv.weight", DType.F16, 320, 320, 3, 3)), "GGUF blocks run along the innermost dimension (3)");
        assertEquals("Q8_ROW", label(q8, t("lin.weight", DType.F16, 320, 80)), "80 is not whole blocks");
        assertEquals("Q8_ROW", label(new TensorPlan(TargetType.Q8C, 0, List.of()), t("a.weight", DType.F16, 320, 320)));
        assertEquals("F32", label(new TensorPlan(TargetType.F32, 0, List.of()), t("a.weight", DType.F16, 320, 320)));
        assertEquals("F32", label(new TensorPlan(TargetType.F32, 0, List.of()), t("decoder.token_embedding.weight", DType.F16, 500, 64)));
        assertEquals("F16", label(new TensorPlan(TargetType.F16, 0, List.of()), t("a.weight", DType.F32, 320, 320)));
    }

    @Test
    void keepF16Globs() {
        TensorPlan p = new TensorPlan(TargetType.PAL6, 0, List.of("vae/*", "*.attn1.to_q.weight,*proj_out*"));
        assertEquals("F16", label(p, t("vae/decoder.conv_in.weight", DType.F16, 512, 4, 3, 3)));
        assertEquals("F16", label(p, t("unet/mid_block.attentions.0.transformer_blocks.0.attn1.to_q.weight", DType.F16, 1280, 1280)));
        assertEquals("F16", label(p, t("unet/mid_block.attentions.0.proj_out.weight", DType.F16, 1280, 1280)));
        assertEquals("PAL6/g1280", label(p, t("unet/mid_block.attentions.0.transformer_blocks.0.attn1.to_k.weight", DType.F16, 1280, 1280)));
    }

    @Test
    void groupSizeIsADivisorOfTheRows() {
        TensorPlan p = new TensorPlan(TargetType.PAL4, 64, List.of());
        assertEquals(64, p.group(320));
        assertEquals(60, p.group(1500 / 25 * 3)); // 180 rows: 64 does not divide, 60 does
        assertEquals(1, p.group(67));            // prime: one table per row
        assertEquals(40, p.group(40));            // fewer rows than the group: one table
        assertEquals("PAL4/g64", label(p, t("w.weight", DType.F16, 320, 320)));
        assertEquals(320, new TensorPlan(TargetType.PAL4, 0, List.of()).group(320));
        assertThrows(IllegalArgumentException.class, () -> new TensorPlan(TargetType.PAL4, -1, List.of()));
    }

    @Test
    void encodedSizes() {
        assertEquals(320L * 2880 / 2 + 16 * 4, new Encoding.Pal(4, 320).bytes(new long[] {320, 320, 3, 3}));
        assertEquals(320L * (2880 * 6 / 8) + 5 * 64 * 4, new Encoding.Pal(6, 64).bytes(new long[] {320, 320, 3, 3}));
        assertEquals(7L * (Encoding.cols(new long[] {7, 5, 3}) + 4), new Encoding.Q8Row().bytes(new long[] {7, 5, 3}));
        assertEquals(320L * 320 / 32 * 34, new Encoding.Plain(DType.Q8_0).bytes(new long[] {320, 320}));
    }

    @Test
    void unknownType() {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> TargetType.parse("q5"));
        assertEquals("convert: unknown --type 'q5' (f32, f16, q8, q8c, pal8, pal6, pal4, pal2)", e.getMessage());
        assertEquals(TargetType.PAL4, TargetType.parse("PAL4"));
    }
}
