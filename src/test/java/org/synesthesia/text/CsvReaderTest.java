package org.synesthesia.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.util.SynesthesiaException;

/** RFC 4180 records: quoting, escaped quotes, line breaks in fields, CRLF, BOM, blank lines, line numbers, TSV, gzip. */
class CsvReaderTest {
    private static List<List<String>> all(String text, char delimiter) {
        List<List<String>> out = new ArrayList<>();
        try (CsvReader r = new CsvReader(new StringReader(text), "t.csv", delimiter)) {
            for (List<String> rec; (rec = r.next()) != null; ) out.add(rec);
        }
        return out;
    }

    @Test
    void audioCapsStyleRowsWithQuotedCommasAndQuotes() {
        String csv = "\uFEFFaudiocap_id,youtube_id,start_time,caption\r\n"
                + "91139,r1nicOVtvkQ,130,A woman talks nearby as water pours\r\n"
                + "58146,UDGBjjwyaqE,20,\"Multiple clanging and clanking sounds, then \"\"ding\"\"\"\r\n"
                + "11542,8NklcrbHmSY,30,\"\"\r\n";
        List<List<String>> r = all(csv, ',');
        assertEquals(4, r.size());
        assertEquals(List.of("audiocap_id", "youtube_id", "start_time", "caption"), r.get(0));
        assertEquals("A woman talks nearby as water pours", r.get(1).get(3));
        assertEquals("Multiple clanging and clanking sounds, then \"ding\"", r.get(2).get(3));
        assertEquals(List.of("11542", "8NklcrbHmSY", "30", ""), r.get(3));
    }

    @Test
    void lineBreaksInsideQuotesBlankLinesAndLineNumbers() {
        String csv = "a,b\n\n1,\"two\r\nlines\"\n\n\n3,x\"y\n4,\"q\"tail\r5,\n";
        try (CsvReader r = new CsvReader(new StringReader(csv), "t.csv", ',')) {
            assertEquals(List.of("a", "b"), r.next());
            assertEquals(1, r.line());
            assertEquals(List.of("1", "two\r\nlines"), r.next());
            assertEquals(3, r.line());
            assertEquals(List.of("3", "x\"y"), r.next()); // a quote inside an unquoted field is literal
            assertEquals(7, r.line());
            assertEquals(List.of("4", "qtail"), r.next()); // text after a closing quote is appended, as Python's csv
            assertEquals(8, r.line());
            assertEquals(List.of("5", ""), r.next()); // a lone CR ends a record too
            assertEquals(9, r.line());
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test
    void tabsAndEmptyFields() {
        assertEquals(List.of(List.of("a cat, sitting", "http://x/1.jpg"), List.of("", "", "")), all("a cat, sitting\thttp://x/1.jpg\n\t\t", '\t'));
        assertEquals(List.of(List.of("", "")), all(",", ','));
    }

    @Test
    void anUnclosedQuoteIsOneLineNamingFileAndLine() {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> all("a,b\n1,\"open\nstill open\n", ','));
        assertEquals("t.csv: line 2: a quoted field is not closed before the end of the file", e.getMessage());
    }

    @Test
    void gzippedTsvAndTheDelimiterFromTheName(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("wit.tsv.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
            o.write("language\timage_url\ten\thttps://upload.wikimedia.org/a.jpg\n".replace("\ten\t", "\nen\t").getBytes(StandardCharsets.UTF_8));
        }
        assertEquals('\t', CsvReader.delimiterFor(f));
        assertEquals(',', CsvReader.delimiterFor(dir.resolve("train.csv")));
        try (CsvReader r = CsvReader.open(f, CsvReader.delimiterFor(f))) {
            assertEquals(List.of("language", "image_url"), r.next());
            assertEquals(List.of("en", "https://upload.wikimedia.org/a.jpg"), r.next());
            assertNull(r.next());
        }
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> CsvReader.open(dir.resolve("none.csv"), ','));
        assertTrue(e.getMessage().contains("none.csv") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void withoutQuotingQuotesAreText() {
        List<List<String>> out = new ArrayList<>();
        try (CsvReader r = new CsvReader(new StringReader("\"the \"best\" cat\tu1\n\"unclosed\tu2\n"), "cc.tsv", '\t', false)) {
            for (List<String> rec; (rec = r.next()) != null; ) out.add(rec);
        }
        assertEquals(List.of(List.of("\"the \"best\" cat", "u1"), List.of("\"unclosed", "u2")), out);
    }
}
