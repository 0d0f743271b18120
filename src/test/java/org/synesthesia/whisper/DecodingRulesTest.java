package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/**
 * Decoding rules on {@link FakeLogits} (no model): filters, greedy/sampling/best-of, beam search bookkeeping,
 * temperature fallback, and the transcriber's segmenting and seeking. Uses the real multilingual tokenizer layout.
 */
class DecodingRulesTest {
    static WhisperTokenizer tok;
    static final int V = 51865, CTX = 448, AUDIO_CTX = 1500;

    @BeforeAll
    static void load() {
        tok = WhisperTokenizer.forModel(SharedData.data("tokenizers"), V);
    }

    static DecodingOptions base() {
        return DecodingOptions.DEFAULT.withLanguage("en");
    }

    static DecodingResult decode(DecodingOptions o, FakeLogits f) {
        return new DecodingTask(tok, o, CTX, AUDIO_CTX).run(f);
    }

    /** Text token ids of a word such as " the". */
    static int id(String piece) {
        int[] t = tok.encode(piece);
        assertEquals(1, t.length, piece);
        return t[0];
    }

    @Test
    void greedyFollowsArgmaxAndStopsAtEndOfText() {
        int a = id(" hello"), b = id(" world");
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            int sampled = seq.length - 4;
            row[sampled == 0 ? a : sampled == 1 ? b : tok.eot()] = 5f;
        });
        DecodingResult r = decode(base().withoutTimestamps(true), f);
        assertArrayEquals(new int[] {a, b}, r.tokens());
        assertEquals("hello world", r.text());
        assertEquals("en", r.language());
        assertEquals(0.0, r.temperature());
        // each token has probability e^5 / (e^5 + (V - 1) e^-30 ...), almost 1: avg logprob just below 0
        assertTrue(r.avgLogprob() < 0 && r.avgLogprob() > -1e-6, "avg logprob " + r.avgLogprob());
        assertEquals(CompressionRatio.of("hello world"), r.compressionRatio());
    }

    @Test
    void initialTokensWithPromptAndPrefix() {
        int[] prompt = new int[300];
        Arrays.fill(prompt, id(" the"));
        prompt[299] = id(" end");
        DecodingOptions o = base().withoutTimestamps(true).withPrompt(prompt).withPrefix(new int[] {id(" hi")});
        int[] init = new DecodingTask(tok, o, CTX, AUDIO_CTX).initialTokens("en");
        // [sot_prev] + last 223 prompt tokens + [sot, en, transcribe, notimestamps] + prefix
        assertEquals(1 + 223 + 4 + 1, init.length);
        assertEquals(tok.sotPrev(), init[0]);
        assertEquals(id(" end"), init[223]);
        assertArrayEquals(new int[] {tok.sot(), tok.languageToken("en"), tok.transcribe(), tok.noTimestamps(), id(" hi")},
                Arrays.copyOfRange(init, 224, 229));
        int[] seen = new int[1];
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            seen[0] = Math.max(seen[0], seq.length);
            row[tok.eot()] = 1f;
        });
        DecodingResult r = decode(o.withSuppressBlank(false), f);
        assertEquals(0, r.tokens().length);
        assertEquals(229, seen[0], "the decoder saw the whole prompt");
    }

    @Test
    void suppressTokensRemovesTheIdsAndBlankAtTheStart() {
        int paren = id("("), word = id(" word"), space = id(" ");
        // the model prefers, in order: "(" (a non-speech symbol), <|transcribe|>, " " (blank), then " word", then eot
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            row[paren] = 9f;
            row[tok.transcribe()] = 8f;
            row[space] = 7f;
            row[word] = 6f;
            if (seq.length >= 7) row[tok.eot()] = 10f;
        });
        DecodingResult filtered = decode(base().withoutTimestamps(true), f);
        for (int t : filtered.tokens()) {
            assertNotEquals(paren, t);
            assertNotEquals(tok.transcribe(), t);
        }
        assertEquals(word, filtered.tokens()[0], "no blank as the first token");
        assertTrue(Arrays.stream(filtered.tokens()).anyMatch(t -> t == space), "blank allowed later");
        for (int s : tok.suppressTokens(new int[] {-1})) assertTrue(Arrays.binarySearch(tok.nonSpeechTokens(), s) >= 0 || s >= tok.eot());

        DecodingResult raw = decode(base().withoutFilters(), f);
        assertEquals(paren, raw.tokens()[0], "without filters the argmax is kept");
        DecodingResult onlyListed = decode(base().withoutTimestamps(true).withSuppressTokens(String.valueOf(paren)).withSuppressBlank(false), f);
        assertEquals(space, onlyListed.tokens()[0], "the listed id and the task tokens are suppressed");
        assertTrue(Arrays.stream(decode(base().withoutTimestamps(true).withSuppressTokens(String.valueOf(paren)), f).tokens())
                .noneMatch(t -> t == tok.transcribe()), "task tokens are always suppressed when a list is given");
        assertThrows(SynesthesiaException.class, () -> base().withSuppressTokens("1,x").suppressTokenIds());
    }

    /** The timestamp rules checked on any sampled sequence (sampled part, eot excluded). */
    static void assertTimestampRules(WhisperTokenizer tok, int[] tokens, int maxInitialIndex) {
        int tb = tok.timestampBegin();
        assertTrue(tokens.length == 0 || tokens[0] >= tb, "starts with a timestamp");
        if (tokens.length > 0) assertTrue(tokens[0] - tb <= maxInitialIndex, "initial timestamp " + (tokens[0] - tb));
        int last = -1;
        for (int i = 0; i < tokens.length; i++) {
            boolean ts = tokens[i] >= tb;
            assertNotEquals(tok.noTimestamps(), tokens[i]);
            if (!ts) continue;
            assertTrue(tokens[i] >= last, "timestamps do not decrease at " + i + ": " + Arrays.toString(tokens));
            boolean prevTs = i >= 1 && tokens[i - 1] >= tb;
            boolean prev2Ts = i >= 2 && tokens[i - 2] >= tb;
            assertFalse(prevTs && prev2Ts, "no three timestamps in a row at " + i);
            if (i >= 1 && !prevTs) assertTrue(tokens[i] > last, "a segment's end is after its start at " + i);
            // a lone timestamp after text is followed by a timestamp (or nothing)
            if (i >= 1 && !prevTs && i + 1 < tokens.length) assertTrue(tokens[i + 1] >= tb, "timestamps in pairs at " + i + ": " + Arrays.toString(tokens));
            last = tokens[i];
        }
    }

    @Test
    void timestampRulesHoldOnRandomLogits() {
        for (int seed = 0; seed < 4; seed++) {
            long s = seed;
            FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
                Random r = new Random(s * 1_000_003L + seq.length * 31L + seq[seq.length - 1]);
                for (int i = 0; i < 200; i++) row[r.nextInt(tok.eot())] = (float) (3 * r.nextGaussian());
                for (int i = tok.timestampBegin(); i < V; i++) row[i] = (float) (r.nextGaussian() - 4);
                row[tok.noTimestamps()] = 50f; // must never be sampled
                row[tok.eot()] = seq.length > 60 ? 2f : -30f;
            });
            DecodingOptions o = base().withSampleLen(80);
            DecodingResult greedy = decode(o, f);
            assertTrue(Arrays.stream(greedy.tokens()).anyMatch(tok::isTimestamp));
            assertTimestampRules(tok, greedy.tokens(), 50);
            assertTimestampRules(tok, decode(o.withTemperature(1.0).withSeed(s), f).tokens(), 50);
            assertTimestampRules(tok, decode(o.withBeamSize(3, null), f).tokens(), 50);
        }
    }

    @Test
    void timestampRuleForcesTimestampWhenTheirMassWins() {
        int word = id(" word");
        // text token logit 0; each of the 1501 timestamps at -5: total mass 1501 e^-5 ~ 10.1 > e^0
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            row[word] = 0f;
            for (int i = tok.timestampBegin(); i < V; i++) row[i] = -5f;
        });
        float[] row = new float[V];
        Arrays.fill(row, -30f);
        row[word] = 0f;
        for (int i = tok.timestampBegin(); i < V; i++) row[i] = -5f;
        int[] seq = {tok.sot(), tok.languageToken("en"), tok.transcribe(), tok.timestampBegin(), word};
        new TimestampRules(tok, 3, 50).apply(row, 0, seq, seq.length);
        assertEquals(Float.NEGATIVE_INFINITY, row[word], "text suppressed when the timestamps are more likely together");
        assertEquals(Float.NEGATIVE_INFINITY, row[tok.timestampBegin()], "not below the segment start");
        assertEquals(-5f, row[tok.timestampBegin() + 1]);
        assertEquals(Float.NEGATIVE_INFINITY, row[tok.eot()], "the end of text counts as text");
        DecodingResult r = decode(base().withSampleLen(4), f);
        assertTimestampRules(tok, r.tokens(), 50);
    }

    @Test
    void maxInitialTimestamp() {
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            for (int i = tok.timestampBegin(); i < V; i++) row[i] = (i - tok.timestampBegin()) * 0.01f; // later preferred
            row[tok.eot()] = seq.length > 5 ? 20f : -30f;
        });
        DecodingResult r = decode(base().withSampleLen(3), f);
        assertEquals(tok.timestampBegin() + 50, r.tokens()[0], "1.0 s = 50 steps of 0.02 s");
        DecodingResult free = decode(base().withSampleLen(3).withMaxInitialTimestamp(null), f);
        assertEquals(V - 1, free.tokens()[0]);
    }

    @Test
    void samplingIsSeededAndBestOfKeepsTheMostLikely() {
        int[] words = {id(" a"), id(" b"), id(" c"), id(" d")};
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            for (int i = 0; i < words.length; i++) row[words[i]] = 2f - i * 0.5f;
            row[tok.eot()] = seq.length > 12 ? 5f : -30f;
        });
        DecodingOptions o = base().withoutTimestamps(true).withTemperature(1.0).withSeed(7);
        assertArrayEquals(decode(o, f).tokens(), decode(o, f).tokens(), "same seed, same draw");
        boolean differs = false;
        for (int s = 0; s < 5 && !differs; s++) differs = !Arrays.equals(decode(o, f).tokens(), decode(o.withSeed(100 + s), f).tokens());
        assertTrue(differs, "other seeds draw other tokens");
        // best-of 5 returns the candidate with the best sum logprob / length among those it drew
        DecodingResult best = decode(o.withBestOf(5), f);
        assertTrue(Double.isFinite(best.avgLogprob()));
        assertEquals(1.0, best.temperature());
        assertThrows(SynesthesiaException.class, () -> base().withBestOf(2).validate());
        assertThrows(SynesthesiaException.class, () -> decode(base().withBeamSize(2, null).withTemperature(0.5).withBestOf(2), f));
    }

    @Test
    void beamSearchFindsTheBetterSequenceGreedyMisses() {
        int a = id(" a"), b = id(" b"), x = id(" x"), y = id(" y");
        // step 1: " a" 0.6, " b" 0.4; after " a" the next token is uncertain (two of 0.5), after " b" certain (1.0)
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            int n = seq.length - 4;
            if (n == 0) {
                row[a] = (float) Math.log(0.6);
                row[b] = (float) Math.log(0.4);
            } else if (n == 1) {
                if (seq[4] == a) {
                    row[x] = (float) Math.log(0.51);
                    row[y] = (float) Math.log(0.49);
                } else {
                    row[x] = 0f;
                }
            } else {
                row[tok.eot()] = 0f;
            }
        });
        DecodingOptions o = base().withoutFilters();
        assertArrayEquals(new int[] {a, x}, decode(o, f).tokens(), "greedy takes the locally best");
        DecodingResult beam = decode(o.withBeamSize(2, null), f);
        assertArrayEquals(new int[] {b, x}, beam.tokens(), "beam search keeps the sequence with the best total");
        assertEquals((Math.log(0.4) + 0.0 + 0.0) / 3, beam.avgLogprob(), 1e-4);
        assertArrayEquals(decode(o, f).tokens(), decode(o.withBeamSize(1, null), f).tokens(), "beam 1 = greedy");
    }

    @Test
    void beamScoresMatchAReplayOfTheChosenSequence() {
        // logits that depend on the whole history: a beam continuing the wrong cache would score differently
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            Random r = new Random(Arrays.hashCode(seq));
            for (int i = 0; i < 40; i++) row[1000 + i] = (float) (2 * r.nextGaussian());
            row[tok.eot()] = seq.length > 9 ? (float) r.nextGaussian() + 1 : -30f;
        });
        for (int beam : new int[] {2, 3, 5}) {
            DecodingOptions o = base().withoutFilters().withBeamSize(beam, 1.5).withSampleLen(12);
            DecodingResult r = decode(o, f);
            int[] init = new DecodingTask(tok, o, CTX, AUDIO_CTX).initialTokens("en");
            int[] t = r.tokens();
            int[] full = Arrays.copyOf(init, init.length + t.length + 1);
            System.arraycopy(t, 0, full, init.length, t.length);
            full[full.length - 1] = tok.eot();
            double sum = 0, beforeEot = 0;
            float[] row = new float[V];
            LogitsSource.Sequence s = f.newSequence();
            f.lastLogits(new int[][] {init}, new LogitsSource.Sequence[] {s}, row);
            for (int i = init.length; i < full.length; i++) {
                beforeEot = sum;
                sum += row[full[i]] - DecodingTask.logSumExp(row, 0, V);
                if (i + 1 < full.length) f.lastLogits(new int[][] {{full[i]}}, new LogitsSource.Sequence[] {s}, row);
            }
            // a finished candidate (under 12 tokens) scores its end of text; an unfinished one does not
            assertEquals(t.length < 12 ? sum : beforeEot, r.avgLogprob() * (t.length + 1), 1e-6, "beam " + beam);
        }
    }

    @Test
    void lengthPenaltyRanksCandidates() {
        DecodingTask plain = new DecodingTask(tok, base(), CTX, AUDIO_CTX);
        assertEquals(-1.0, plain.rankScore(-4, 4), 0);
        DecodingTask alpha = new DecodingTask(tok, base().withLengthPenalty(1.0), CTX, AUDIO_CTX);
        assertEquals(-4 / (9.0 / 6.0), alpha.rankScore(-4, 4), 1e-12);
        assertThrows(SynesthesiaException.class, () -> base().withLengthPenalty(1.5));
        assertThrows(SynesthesiaException.class, () -> base().withBeamSize(null, 2.0).validate());
    }

    @Test
    void topK() {
        float[] v = {1, 5, 3, 5, -1, 4};
        assertArrayEquals(new int[] {1, 3, 5}, BeamSearch.topK(v, 0, 6, 3));
        assertArrayEquals(new int[] {1, 3}, BeamSearch.topK(v, 2, 4, 2));
    }

    @Test
    void fallbackRaisesTheTemperatureWhileTheTextRepeats() {
        int the = id(" the");
        FakeLogits f = new FakeLogits(V, CTX, (seq, row) -> {
            row[the] = 20f; // "the the the ..." at every temperature: compresses far better than 2.4
            if (seq.length > 60) row[tok.eot()] = 40f;
        });
        Transcriber t = new Transcriber((mel, where) -> f, tok, 80, CTX, AUDIO_CTX);
        List<Double> rejected = new ArrayList<>();
        DecodingOptions o = base().withoutTimestamps(true);
        DecodingResult r = t.decodeWithFallback(f, o, TranscribeOptions.DEFAULT, x -> rejected.add(x.temperature()));
        assertEquals(List.of(0.0, 0.2, 0.4, 0.6, 0.8), rejected);
        assertEquals(1.0, r.temperature(), "the last temperature's result is kept");
        assertTrue(r.compressionRatio() > 2.4, "ratio " + r.compressionRatio());

        // the same text passes without the ratio check
        DecodingResult ok = t.decodeWithFallback(f, o, TranscribeOptions.DEFAULT.withThresholds(null, -1.0, 0.6), null);
        assertEquals(0.0, ok.temperature());
        // a high no-speech probability with a low logprob is silence: no fallback
        FakeLogits silent = new FakeLogits(V, CTX, (seq, row) -> {
            if (seq[seq.length - 1] == tok.sot()) row[tok.noSpeech()] = 30f;
            for (int i = 0; i < 2000; i++) row[i] = 0f; // flat: avg logprob ~ -log(2001)
            if (seq.length > 8) row[tok.eot()] = 0f;
        });
        List<Double> none = new ArrayList<>();
        DecodingResult s = t.decodeWithFallback(silent, o, TranscribeOptions.DEFAULT, x -> none.add(x.temperature()));
        assertTrue(s.noSpeechProb() > 0.99 && s.avgLogprob() < -1, s.toString());
        assertEquals(List.of(), none);
    }

    /** A window encoder whose "audio" is identified by its mel's first value: the decoder emits the given script. */
    @Test
    void transcriberSegmentsAndSeeks() {
        int tb = tok.timestampBegin();
        int hello = id(" hello"), world = id(" world"), again = id(" again");
        // window 1 (seek 0): <|0.00|> hello <|1.00|><|1.00|> world <|2.00|><|2.50|> again   (cut after 2.00 s: the
        // last segment is incomplete, so the next window starts at 2.00 s = frame 200)
        // window 2 (seek 200): <|0.00|> again <|1.00|> then eot (single timestamp ending: next window after it)
        int[][] scripts = {
            {tb, hello, tb + 50, tb + 50, world, tb + 100, tb + 125, again, tok.eot()},
            {tb, again, tb + 50, tok.eot()},
        };
        List<Integer> seeks = new ArrayList<>();
        int[][] firstSeen = new int[2][];
        Transcriber t = new Transcriber((mel, where) -> {
            int w = (int) mel.get(0, 0, 0);
            return new FakeLogits(V, CTX, (seq, row) -> {
                if (firstSeen[w] == null && seq[seq.length - 1] == tok.sot()) firstSeen[w] = seq.clone();
                int sot = 0;
                while (seq[sot] != tok.sot()) sot++;
                int n = seq.length - (sot + 3);
                if (n >= 0) row[scripts[w][Math.min(n, scripts[w].length - 1)]] = 30f;
            });
        }, tok, 80, CTX, AUDIO_CTX);
        // 25 s of content: frames [0, 2500) + 3000 padding; mel value = index of the script for the window at that frame
        int frames = 2500 + 3000;
        float[] mel = new float[80 * frames];
        for (int f2 = 200; f2 < frames; f2++) mel[f2] = 1f;
        Transcript tr = t.transcribe(org.synesthesia.tensor.Tensor.of(mel, 80, frames), TranscribeOptions.DEFAULT.withDecoding(base()).withInitialPrompt(" Names: Ann."),
                new Transcriber.Listener() {
                    @Override
                    public void window(int seek, int content) {
                        seeks.add(seek);
                    }
                });
        assertEquals(List.of(0, 200), seeks);
        List<Segment> s = tr.segments();
        assertEquals(3, s.size(), s.toString());
        assertEquals(0.0, s.get(0).start(), 1e-9);
        assertEquals(1.0, s.get(0).end(), 1e-9);
        assertEquals(" hello", s.get(0).text());
        assertEquals(1.0, s.get(1).start(), 1e-9);
        assertEquals(2.0, s.get(1).end(), 1e-9);
        assertEquals(2.0, s.get(2).start(), 1e-9);
        assertEquals(3.0, s.get(2).end(), 1e-9);
        assertEquals(" again", s.get(2).text());
        assertEquals(" hello world again", tr.text());
        assertEquals("en", tr.language());
        for (int i = 0; i < s.size(); i++) assertEquals(i, s.get(i).id());
        // window 1 is prompted with the initial prompt, window 2 with it and window 1's segment tokens
        int[] prompt = tok.encode(" Names: Ann.");
        int[] expected1 = new int[prompt.length + 2];
        expected1[0] = tok.sotPrev();
        System.arraycopy(prompt, 0, expected1, 1, prompt.length);
        expected1[prompt.length + 1] = tok.sot();
        assertArrayEquals(expected1, firstSeen[0]);
        List<Integer> expected2 = new ArrayList<>();
        expected2.add(tok.sotPrev());
        for (int p : prompt) expected2.add(p);
        for (int i = 0; i < 2; i++) for (int x : s.get(i).tokens()) expected2.add(x);
        expected2.add(tok.sot());
        assertArrayEquals(expected2.stream().mapToInt(Integer::intValue).toArray(), firstSeen[1]);
        assertArrayEquals(new int[] {tb, hello, tb + 50}, s.get(0).tokens());
    }
}
