package org.synesthesia.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** UTF-8 decoding with Python's replacement of ill-formed sequences. */
class Utf8Test {
    @Test
    void utf8ReplacementFollowsPython() {
        // expected values: bytes.decode("utf-8", errors="replace") in CPython 3.11
        Object[][] cases = {
            {new int[] {0xe2, 0x99}, "\uFFFD"},
            {new int[] {0xe2, 0x99, 0x61}, "\uFFFDa"},
            {new int[] {0xff, 0xfe}, "\uFFFD\uFFFD"},
            {new int[] {0xf0, 0x9f, 0x98}, "\uFFFD"},
            {new int[] {0xed, 0xa0, 0x80}, "\uFFFD\uFFFD\uFFFD"},
            {new int[] {0xc0, 0xaf}, "\uFFFD\uFFFD"},
            {new int[] {0xf4, 0x90, 0x80, 0x80}, "\uFFFD\uFFFD\uFFFD\uFFFD"},
            {new int[] {0x61, 0x80, 0x62}, "a\uFFFDb"},
            {new int[] {0xe2, 0x28, 0xa1}, "\uFFFD(\uFFFD"},
            {new int[] {0xe0, 0x9f, 0x80}, "\uFFFD\uFFFD\uFFFD"},
            {new int[] {0xf0, 0x9f, 0x98, 0x80}, "😀"},
            {new int[] {0xf4, 0x8f, 0xbf, 0xbf}, "\uDBFF\uDFFF"},
        };
        for (Object[] c : cases) {
            int[] v = (int[]) c[0];
            byte[] b = new byte[v.length];
            for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
            assertEquals(c[1], Utf8.decode(b), Arrays.toString(v));
        }
        // valid UTF-8 decodes as Java does
        Random rnd = new Random(5);
        for (int i = 0; i < 200; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = rnd.nextInt(20); k > 0; k--) {
                int cp = rnd.nextInt(0x110000);
                if (cp < 0xd800 || cp > 0xdfff) s.appendCodePoint(cp);
            }
            assertEquals(s.toString(), Utf8.decode(s.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }
}
