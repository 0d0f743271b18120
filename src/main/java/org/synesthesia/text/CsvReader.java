package org.synesthesia.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.synesthesia.util.SynesthesiaException;

/**
 * Records of a delimited text file as RFC 4180 defines them, streamed: fields split at the delimiter (',' for CSV,
 * tab for TSV), records end at LF, CRLF or CR; a field that starts with {@code "} is quoted and may hold delimiters,
 * line breaks and {@code ""} (one quote). Leniencies, as Python's {@code csv} module: a quote inside an unquoted
 * field is kept literally, characters after a closing quote are appended; blank lines are skipped and a leading
 * byte-order mark is dropped. A quoted field still open at the end of the file is a one-line error naming the file
 * and the line it began on. Files ending in {@code .gz} are gunzipped (WIT ships {@code .tsv.gz}); the text is UTF-8
 * (malformed bytes become U+FFFD).
 */
public final class CsvReader implements AutoCloseable {
    private final Reader in;
    private final String source;
    private final char delimiter;
    private final boolean quotes;
    private long line = 1;       // line of the next character
    private long recordLine;     // line the last record began on
    private int pending = -2;    // one character read ahead (-2: none)
    private boolean first = true;

    public CsvReader(Reader in, String source, char delimiter) {
        this(in, source, delimiter, true);
    }

    /** {@code quotes} false: a plain delimited file, fields end at the delimiter or the line's end and quotes are literal. */
    public CsvReader(Reader in, String source, char delimiter, boolean quotes) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') throw new IllegalArgumentException("delimiter cannot be a quote or a line break");
        this.in = in instanceof BufferedReader ? in : new BufferedReader(in, 1 << 16);
        this.source = source;
        this.delimiter = delimiter;
        this.quotes = quotes;
    }

    /** Opens {@code file} (gunzipped if its name ends in .gz) with RFC 4180 quoting. */
    public static CsvReader open(Path file, char delimiter) {
        return open(file, delimiter, true);
    }

    /** Opens {@code file} (gunzipped if its name ends in .gz); {@code quotes} as in the constructor. */
    public static CsvReader open(Path file, char delimiter, boolean quotes) {
        try {
            InputStream s = Files.newInputStream(file);
            if (file.getFileName().toString().endsWith(".gz")) s = new GZIPInputStream(s, 1 << 16);
            var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
            return new CsvReader(new InputStreamReader(s, decoder), file.toString(), delimiter, quotes);
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(file, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    /** The delimiter a file's name suggests: tab for .tsv / .tsv.gz / .tab, else ','. */
    public static char delimiterFor(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".gz")) n = n.substring(0, n.length() - 3);
        return n.endsWith(".tsv") || n.endsWith(".tab") ? '\t' : ',';
    }

    /** The 1-based line the record last returned by {@link #next} began on. */
    public long line() {
        return recordLine;
    }

    /** The next record's fields, or null at the end of the file. */
    public List<String> next() {
        try {
            int c = read();
            if (first) {
                first = false;
                if (c == '\uFEFF') c = read();
            }
            while (c == '\n' || c == '\r') { // blank lines
                lineBreak(c);
                c = read();
            }
            if (c < 0) return null;
            recordLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            while (true) {
                if (c == '"' && f.isEmpty() && quotes) {
                    long opened = line;
                    while (true) { // inside quotes
                        c = read();
                        if (c < 0) throw new SynesthesiaException(source + ": line " + opened + ": a quoted field is not closed before the end of the file");
                        if (c == '"') {
                            c = read();
                            if (c != '"') break;
                            f.append('"');
                        } else {
                            if (c == '\n' || (c == '\r' && peekNot('\n'))) line++;
                            f.append((char) c);
                        }
                    }
                    continue; // c is the character after the closing quote
                }
                if (c < 0 || c == '\n' || c == '\r') {
                    fields.add(f.toString());
                    if (c >= 0) lineBreak(c);
                    return fields;
                }
                if (c == delimiter) {
                    fields.add(f.toString());
                    f.setLength(0);
                    c = read();
                    continue;
                }
                f.append((char) c); // a quote here, inside an unquoted field, is literal
                c = read();
            }
        } catch (IOException e) {
            throw new SynesthesiaException(source + ": cannot read: " + e.getMessage());
        }
    }

    /** Consumes a line break that began with {@code c} (CRLF as one). */
    private void lineBreak(int c) throws IOException {
        line++;
        if (c == '\r') {
            int d = read();
            if (d != '\n') pending = d;
        }
    }

    private boolean peekNot(char want) throws IOException {
        if (pending == -2) pending = in.read();
        return pending != want;
    }

    private int read() throws IOException {
        if (pending != -2) {
            int c = pending;
            pending = -2;
            return c;
        }
        return in.read();
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // reading is over; nothing to keep
        }
    }
}
