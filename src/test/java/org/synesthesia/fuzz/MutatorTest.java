package org.synesthesia.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fuzzer's own parts: mutants are a function of (seed, case), fields are patched in place, verdicts classify. */
class MutatorTest {
    private static Seed seed() {
        byte[] b = new byte[64];
        for (int i = 0; i < b.length; i++) b[i] = (byte) i;
        return new Seed.Layout().field("count", 8, 4).field("size", 16, 8).cut(40).seed("test", "x.bin", b);
    }

    @Test
    void sameSeedAndCaseGiveTheSameMutant() {
        Mutator a = new Mutator(List.of(seed()), null, 13), b = new Mutator(List.of(seed()), null, 13), c = new Mutator(List.of(seed()), null, 14);
        Set<String> differ = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            Mutant x = a.mutant(i), y = b.mutant(i);
            assertEquals(x.mutation(), y.mutation());
            assertArrayEquals(x.bytes(), y.bytes());
            if (!c.mutant(i).mutation().equals(x.mutation())) differ.add(x.mutation());
        }
        assertFalse(differ.isEmpty(), "another run seed gives other random mutants");
    }

    @Test
    void casesCoverEveryCutAndField() {
        Mutator m = new Mutator(List.of(seed()), null, 1);
        Set<Integer> lengths = new HashSet<>();
        List<String> patches = new ArrayList<>();
        for (int i = 0; i < 6 * 8; i++) {
            Mutant x = m.mutant(i);
            if (i % 6 == 0) lengths.add(x.bytes().length);
            if (i % 6 == 1) patches.add(x.mutation());
        }
        assertEquals(Set.of(0, 8, 12, 16, 24, 40, 63), lengths); // field boundaries, the extra cut, 0 and length-1
        assertTrue(patches.get(0).startsWith("field count at 8 (4 bytes, was 185207048) set to 0"), patches.get(0));
        assertTrue(patches.get(1).startsWith("field size at 16"), patches.get(1));
        Mutant p = m.mutant(1 + 6 * 2); // count, second value: 0xffffffff little-endian
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, java.util.Arrays.copyOfRange(p.bytes(), 8, 12));
    }

    @Test
    void fieldsReadAndWriteInTheirByteOrder() {
        byte[] b = new byte[4];
        Seed.Field be = new Seed.Field("x", 0, 4, true), le = new Seed.Field("x", 0, 4, false);
        be.write(b, 0x01020304);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, b);
        assertEquals(0x04030201, le.read(b));
    }

    @Test
    void onlyCleanSingleLinesCountAsRefusals() {
        assertNull(FuzzWorker.oneLineProblem("model.gguf: truncated: tensor info 3 needs 8 bytes at 120, the file has 100"));
        assertNotNull(FuzzWorker.oneLineProblem("a\nb"));
        assertNotNull(FuzzWorker.oneLineProblem("bad \u001b[2J name"));
        assertNotNull(FuzzWorker.oneLineProblem("x".repeat(3000)));
        assertNotNull(FuzzWorker.oneLineProblem(null));
    }

    @Test
    void jsonEditsKeepTheRestOfTheDocument() {
        String doc = "{\"a\": 1, \"b\": [2, 3], \"c\": \"x\"}";
        Random rnd = new Random(5);
        int changed = 0;
        for (int i = 0; i < 50; i++) {
            StringBuilder what = new StringBuilder();
            String e = JsonEdits.edit(doc, rnd, what);
            assertFalse(what.isEmpty());
            if (!e.equals(doc)) changed++;
        }
        assertTrue(changed > 40, "most edits change the document: " + changed);
    }

    @Test
    void knownIssuesMatchFormatClassSignatureAndFrame() {
        KnownIssues.Entry e = new KnownIssues.Entry("*", "TRACE", "java.lang.StackOverflowError", "util.Json.", "an example item");
        assertTrue(e.matches("unet-config", "TRACE", "java.lang.StackOverflowError:  @ util.Json.value:59 < util.Json.array:107"));
        assertFalse(e.matches("unet-config", "TRACE", "java.lang.StackOverflowError:  @ audio.FlacDecoder.read:96"));
        assertFalse(e.matches("unet-config", "TRACE", "java.lang.NullPointerException: x @ util.Json.value:59"));
        assertFalse(e.matches("unet-config", "HANG", "java.lang.StackOverflowError:  @ util.Json.value:59"));
        // every fix has landed: nothing is tolerated
        assertNull(KnownIssues.match("unet-config", "TRACE", "java.lang.StackOverflowError:  @ util.Json.value:59 < util.Json.array:107"));
    }
}
