package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** Expected values: openai/whisper {@code tests/test_normalizer.py}, plus cases worked through by hand. */
class EnglishTextNormalizerTest {
    private static EnglishTextNormalizer text;

    static synchronized EnglishTextNormalizer text() {
        if (text == null) text = EnglishTextNormalizer.load(SharedData.data("normalizers/english.json"));
        return text;
    }

    /** openai's number cases hold for both the number normaliser and the full text normaliser. */
    private static final String[][] NUMBER_CASES = {
        {"two", "2"}, {"thirty one", "31"}, {"five twenty four", "524"}, {"nineteen ninety nine", "1999"},
        {"twenty nineteen", "2019"}, {"two point five million", "2500000"}, {"four point two billions", "4200000000s"},
        {"200 thousand", "200000"}, {"200 thousand dollars", "$200000"}, {"$20 million", "$20000000"},
        {"€52.4 million", "€52400000"}, {"£77 thousands", "£77000s"}, {"two double o eight", "2008"},
        {"three thousand twenty nine", "3029"}, {"forty three thousand two hundred sixty", "43260"},
        {"forty three thousand two hundred and sixty", "43260"}, {"nineteen fifties", "1950s"},
        {"thirty first", "31st"}, {"thirty three thousand and three hundred and thirty third", "33333rd"},
        {"three billion", "3000000000"}, {"millions", "1000000s"}, {"july third twenty twenty", "july 3rd 2020"},
        {"august twenty sixth twenty twenty one", "august 26th 2021"}, {"3 14", "3 14"}, {"3.14", "3.14"},
        {"3 point 2", "3.2"}, {"3 point 14", "3.14"}, {"fourteen point 4", "14.4"},
        {"two point two five dollars", "$2.25"}, {"two hundred million dollars", "$200000000"},
        {"$20.1 million", "$20100000"}, {"ninety percent", "90%"}, {"seventy six per cent", "76%"},
        {"double oh seven", "007"}, {"double zero seven", "007"}, {"nine one one", "911"}, {"nine double one", "911"},
        {"one triple oh one", "10001"}, {"two thousandth", "2000th"}, {"thirty two thousandth", "32000th"},
        {"minus 500", "-500"}, {"positive twenty thousand", "+20000"}, {"two dollars and seventy cents", "$2.70"},
        {"3 cents", "¢3"}, {"$0.36", "¢36"}, {"three euros and sixty five cents", "€3.65"},
        {"three and a half million", "3500000"}, {"forty eight and a half dollars", "$48.5"}, {"b747", "b 747"},
        {"10 th", "10th"}, {"10th", "10th"},
    };

    @Test
    void numberNormalizerMatchesOpenaiTests() {
        EnglishNumberNormalizer n = new EnglishNumberNormalizer();
        for (String[] c : NUMBER_CASES) assertEquals(c[1], n.normalize(c[0]), c[0]);
    }

    @Test
    void textNormalizerNumbersMatchOpenaiTests() {
        for (String[] c : NUMBER_CASES) assertEquals(c[1], text().normalize(c[0]), c[0]);
    }

    @Test
    void textNormalizerMatchesOpenaiTests() {
        EnglishTextNormalizer t = text();
        assertEquals("let us", t.normalize("Let's"));
        assertEquals("he is like", t.normalize("he's like"));
        assertEquals("she has been like", t.normalize("she's been like"));
        assertEquals("10 km", t.normalize("10km"));
        assertEquals("10 mm", t.normalize("10mm"));
        assertEquals("rc 232", t.normalize("RC232"));
        assertEquals("mister park visited associate professor kim junior", t.normalize("Mr. Park visited Assoc. Prof. Kim Jr."));
    }

    @Test
    void spellingTable() {
        EnglishTextNormalizer t = text();
        assertEquals("mobilization", t.standardizeSpellings("mobilisation"));
        assertEquals("cancellation", t.standardizeSpellings("cancelation"));
        assertEquals("the colors of the airplane", t.normalize("The colours of the aeroplane!"));
    }

    @Test
    void bracketsFillersSymbolsAndDiacritics() {
        EnglishTextNormalizer t = text();
        assertEquals("hello there", t.normalize("[MUSIC] Hello (laughs) um, there <noise>"));
        assertEquals("cafe naive uber oe strasse", t.normalize("Café — naïve «über» Œ Straße"));
        assertEquals("it is 1500 and 50%", t.normalize("It's 1,500 and 50 %."));
        // a final period that follows another is kept (openai's period rule needs a character after it)
        assertEquals("i will not go .", t.normalize("I won't go..."));
        assertEquals("i will not go", t.normalize("I won't go."));
        assertEquals("and so my fellow americans ask not what your country can do for you ask what you can do for your country",
                t.normalize("And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."));
    }

    @Test
    void jfkReferenceNormalises() throws Exception {
        String ref = Files.readString(SharedData.data("speech/jfk/reference.txt"));
        String hyp = " And so, my fellow Americans, ask not what your country can do for you; ask what you can do for your country!";
        WordErrorRate w = WordErrorRate.of(text().normalize(ref), text().normalize(hyp));
        assertEquals(0.0, w.wer());
        assertEquals(22, w.referenceWords());
    }

    @Test
    void wordErrorRateCounts() {
        WordErrorRate w = WordErrorRate.of("the cat sat on the mat", "the cat sit on mat today");
        assertEquals(3, w.errors()); // 3 substitutions, or 1 substitution + 1 deletion + 1 insertion
        assertEquals(6, w.referenceWords());
        assertEquals(0.5, w.wer(), 1e-15);
        assertEquals(new WordErrorRate(1, 0, 0, 3), WordErrorRate.of("a b c", "a x c"));
        assertEquals(new WordErrorRate(0, 1, 0, 3), WordErrorRate.of("a b c", "a c"));
        assertEquals(new WordErrorRate(0, 0, 1, 2), WordErrorRate.of("a c", "a b c"));
        assertEquals(0.0, WordErrorRate.of("a b c", "a b c").wer());
        assertEquals(1.0, WordErrorRate.of("a b c", "").wer());
        assertEquals(3, WordErrorRate.of("a b c", "").deletions());
        assertEquals(2.0, WordErrorRate.of("a", "x y").wer()); // can exceed 1
        assertEquals(0.0, WordErrorRate.of("", "").wer());
        assertEquals(Double.POSITIVE_INFINITY, WordErrorRate.of("", "x").wer());
        WordErrorRate corpus = WordErrorRate.of("a b c d", "a b c d").plus(WordErrorRate.of("e f", "e g"));
        assertEquals(1.0 / 6, corpus.wer(), 1e-15);
    }

    @Test
    void wordErrorRateIsTheEditDistance() {
        // against a plain recursive edit distance on small random word lists
        java.util.Random rnd = new java.util.Random(11);
        String[] vocab = {"a", "b", "c"};
        for (int t = 0; t < 300; t++) {
            java.util.List<String> r = new java.util.ArrayList<>(), h = new java.util.ArrayList<>();
            for (int i = rnd.nextInt(7); i > 0; i--) r.add(vocab[rnd.nextInt(3)]);
            for (int i = rnd.nextInt(7); i > 0; i--) h.add(vocab[rnd.nextInt(3)]);
            WordErrorRate w = WordErrorRate.of(r, h);
            assertEquals(editDistance(r, h, r.size(), h.size()), w.errors(), r + " vs " + h);
            assertEquals(r.size() - w.deletions() + w.insertions(), h.size()); // the counts describe a real alignment
        }
    }

    private static int editDistance(java.util.List<String> a, java.util.List<String> b, int i, int j) {
        if (i == 0) return j;
        if (j == 0) return i;
        int sub = editDistance(a, b, i - 1, j - 1) + (a.get(i - 1).equals(b.get(j - 1)) ? 0 : 1);
        return Math.min(sub, Math.min(editDistance(a, b, i - 1, j) + 1, editDistance(a, b, i, j - 1) + 1));
    }

    @Test
    void badSpellingFileIsAOneLineError(@TempDir Path dir) throws Exception {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> EnglishTextNormalizer.load(dir.resolve("none.json")));
        assertTrue(e.getMessage().contains("none.json"), e.getMessage());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"colour\": 3}");
        e = assertThrows(SynesthesiaException.class, () -> EnglishTextNormalizer.load(bad));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("colour"), e.getMessage());
        Files.writeString(bad, "{\"colour\": ");
        e = assertThrows(SynesthesiaException.class, () -> EnglishTextNormalizer.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertEquals("colour", new EnglishTextNormalizer(Map.of()).normalize("Colour"));
    }
}
