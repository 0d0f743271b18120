package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;

/**
 * Decoding through the API on the random tiny model ({@code whisper_tiny_random}) and its golden: unfiltered
 * greedy = {@code tokens.greedy}; beam 1 = greedy; no-speech probability and language detection = the softmax of
 * the golden logits at the start-of-transcript position; timestamps follow the rules; fallback records its
 * temperature.
 */
class DecodingModelTest {
    static Whisper whisper;
    static WhisperTokenizer tok;
    static Map<String, Tensor> golden;
    static Tensor encoded;

    @BeforeAll
    static void load() {
        whisper = Whisper.load(SharedData.golden(WhisperParityTest.SET, "weights.safetensors"));
        golden = SafeTensors.readAll(SharedData.golden(WhisperParityTest.SET, "golden.safetensors"));
        tok = WhisperTokenizer.forModel(SharedData.data("tokenizers"), whisper.config().nVocab());
        encoded = whisper.encode(golden.get("mel"));
    }

    @AfterAll
    static void close() {
        if (whisper != null) whisper.close();
    }

    static DecodingResult decode(DecodingOptions o) {
        return DecodingTask.of(whisper, tok, o).run(DecoderLogits.of(whisper, encoded));
    }

    /** The golden's logits row at the start-of-transcript position (prefix row 0). */
    static float[] sotLogits() {
        int V = whisper.config().nVocab();
        return Arrays.copyOf(golden.get("logits.prefix").toArray(), V);
    }

    @Test
    void unfilteredGreedyReproducesTheGolden() {
        int[] expected = WhisperParityTest.ids(golden.get("tokens.greedy"));
        int[] prefix = WhisperParityTest.ids(golden.get("tokens.prefix"));
        DecodingOptions o = DecodingOptions.DEFAULT.withLanguage("en").withoutFilters().withSampleLen(expected.length - prefix.length);
        assertArrayEquals(prefix, DecodingTask.of(whisper, tok, o).initialTokens("en"));
        DecodingResult r = decode(o);
        assertArrayEquals(Arrays.copyOfRange(expected, prefix.length, expected.length), r.tokens());
        assertEquals(0.0, r.temperature());
        assertTrue(r.avgLogprob() < 0);
    }

    @Test
    void englishOnlyModelGreedyReproducesItsGolden() {
        String set = "whisper_tiny_random_en";
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(set, "golden.safetensors"));
        try (Whisper en = Whisper.load(SharedData.golden(set, "weights.safetensors"))) {
            WhisperTokenizer t = WhisperTokenizer.forModel(SharedData.data("tokenizers"), en.config().nVocab());
            int[] expected = WhisperParityTest.ids(g.get("tokens.greedy"));
            int[] prefix = WhisperParityTest.ids(g.get("tokens.prefix"));
            DecodingOptions o = DecodingOptions.DEFAULT.withoutFilters().withSampleLen(expected.length - prefix.length);
            DecodingTask task = DecodingTask.of(en, t, o);
            assertArrayEquals(prefix, task.initialTokens("en"));
            DecodingResult r = task.run(DecoderLogits.of(en, en.encode(g.get("mel"))));
            assertEquals("en", r.language(), "English-only: no detection");
            assertArrayEquals(Arrays.copyOfRange(expected, prefix.length, expected.length), r.tokens());
            // with timestamps the start-of-transcript token is the whole initial sequence
            DecodingResult ts = DecodingTask.of(en, t, DecodingOptions.DEFAULT.withSampleLen(10)).run(DecoderLogits.of(en, en.encode(g.get("mel"))));
            DecodingRulesTest.assertTimestampRules(t, ts.tokens(), 50);
            assertTrue(ts.noSpeechProb() >= 0 && ts.noSpeechProb() <= 1);
        }
    }

    @Test
    void beamOneEqualsGreedy() {
        DecodingOptions o = DecodingOptions.DEFAULT.withLanguage("en").withSampleLen(12);
        DecodingResult greedy = decode(o);
        DecodingResult beam = decode(o.withBeamSize(1, null));
        assertArrayEquals(greedy.tokens(), beam.tokens());
        assertEquals(greedy.text(), beam.text());
        DecodingResult beam3 = decode(o.withBeamSize(3, null));
        assertTrue(beam3.tokens().length > 0);
        DecodingRulesTest.assertTimestampRules(tok, beam3.tokens(), 50);
    }

    @Test
    void timestampsArePairedAndMonotonic() {
        DecodingResult r = decode(DecodingOptions.DEFAULT.withLanguage("en").withSampleLen(40));
        assertTrue(tok.isTimestamp(r.tokens()[0]), Arrays.toString(r.tokens()));
        DecodingRulesTest.assertTimestampRules(tok, r.tokens(), 50);
        for (int t : r.tokens()) assertTrue(Arrays.binarySearch(tok.suppressTokens(new int[] {-1}), t) < 0, "suppressed id " + t);
    }

    @Test
    void noSpeechProbabilityIsTheSoftmaxAtStartOfTranscript() {
        DecodingResult r = decode(DecodingOptions.DEFAULT.withLanguage("en").withSampleLen(2).withoutTimestamps(true));
        double expected = DecodingTask.softmaxAt(sotLogits(), 0, sotLogits().length, tok.noSpeech());
        assertTrue(r.noSpeechProb() >= 0 && r.noSpeechProb() <= 1);
        assertEquals(expected, r.noSpeechProb(), 1e-4 * Math.max(expected, 1e-6) + 1e-7);
    }

    @Test
    void languageDetection() {
        LanguageDetection d = LanguageDetection.detect(DecoderLogits.of(whisper, encoded), tok);
        assertTrue(tok.allLanguageCodes().contains(d.language()), d.language());
        assertEquals(tok.numLanguages(), d.probs().size());
        assertEquals(1.0, d.probs().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        double max = d.probs().values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertEquals(max, d.probs().get(d.language()));
        LanguageDetection ref = LanguageDetection.fromLogits(sotLogits(), tok);
        assertEquals(ref.language(), d.language());
        for (String code : tok.allLanguageCodes()) assertEquals(ref.probs().get(code), d.probs().get(code), 1e-5);

        DecodingResult r = decode(DecodingOptions.DEFAULT.withSampleLen(2));
        assertEquals(d.language(), r.language());
        assertEquals(d.probs().keySet(), r.languageProbs().keySet());
    }

    @Test
    void fallbackRecordsTheTemperature() {
        Transcriber t = Transcriber.of(whisper, tok);
        DecodingOptions o = DecodingOptions.DEFAULT.withLanguage("en").withSampleLen(8);
        LogitsSource src = DecoderLogits.of(whisper, encoded);
        List<Double> rejected = new ArrayList<>();
        // every text compresses worse than ratio 0 -> each temperature is tried, the last one kept
        DecodingResult all = t.decodeWithFallback(src, o, TranscribeOptions.DEFAULT.withTemperatures(0.0, 0.5, 1.0).withThresholds(0.0, null, null),
                r -> rejected.add(r.temperature()));
        assertEquals(List.of(0.0, 0.5), rejected);
        assertEquals(1.0, all.temperature());
        DecodingResult first = t.decodeWithFallback(src, o, TranscribeOptions.DEFAULT.withThresholds(null, null, null), null);
        assertEquals(0.0, first.temperature());
    }
}
