package org.synesthesia.clap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/** Parity with transformers' slow RobertaTokenizer as AudioLDM's CLAP calls it (golden roberta_tokenizer, 32 prompts). */
class RobertaTokenizerTest {
    @Test
    @SuppressWarnings("unchecked")
    void everyGoldenCaseMatches() throws IOException {
        Map<String, Object> g = Json.parseObject(Files.readString(SharedData.golden("roberta_tokenizer", "roberta_tokenizer.json")));
        List<Map<String, Object>> cases = (List<Map<String, Object>>) g.get("cases");
        RobertaTokenizer tok = RobertaTokenizer.fromFolder(SharedData.data("tokenizers/roberta-base"));
        long[] allIds, allMask;
        try (SafeTensors st = SafeTensors.open(SharedData.golden("roberta_tokenizer", "roberta_tokenizer.safetensors"))) {
            StoredTensor ids = st.get("input_ids").expectShape(cases.size(), 512);
            allIds = ids.toLongs();
            allMask = st.get("attention_mask").toLongs();
        }
        assertEquals(32, cases.size());
        for (int k = 0; k < cases.size(); k++) {
            Map<String, Object> c = cases.get(k);
            String text = (String) c.get("text");
            String what = "case " + k + " " + Json.write(text);
            assertEquals(c.get("bpe_tokens"), tok.tokenize(text), what + ": tokens");
            assertEquals(((Number) c.get("n_untruncated_ids")).intValue(), tok.encode(text).length + 2, what + ": untruncated length");
            RobertaTokenizer.Encoding e = tok.encodeForModel(text);
            assertArrayEquals(Arrays.copyOfRange(allIds, k * 512, (k + 1) * 512), e.inputIds(), what + ": input_ids");
            assertArrayEquals(Arrays.copyOfRange(allMask, k * 512, (k + 1) * 512), e.attentionMask(), what + ": attention_mask");
            assertEquals(c.get("truncated"), e.truncated(), what + ": truncated");
        }
        assertEquals("<s>A dog barks</s>", tok.decode(new int[] {0, 250, 2335, 2003, 2258, 2}));
    }

    @TempDir Path tmp;

    @Test
    void missingFilesAreOneLineErrors() {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> RobertaTokenizer.fromFolder(tmp));
        assertTrue(e.getMessage().contains("vocab.json") && e.getMessage().contains("no such file"), e.getMessage());
    }
}
