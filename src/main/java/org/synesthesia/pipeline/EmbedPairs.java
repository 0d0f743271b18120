package org.synesthesia.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.io.AtomicFiles;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.text.CsvReader;
import org.synesthesia.translator.EmbeddingPairs;
import org.synesthesia.translator.PairFiles;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * Translator training pairs from a dataset file: for each row, the CLIP embedding of its caption or image
 * ({@link ClipEmbedder}) and CLAP's text embedding of its caption ({@link ClapTextModel#embed}).
 *
 * <p>Rows are numbered from 0 after the header. Shard k holds the pairs of rows [k R, (k+1) R) (R rows per shard) in
 * {@code pairs-kkkkk.safetensors} ({@link PairFiles#writeShard}); a run with {@code --shard I/N} makes the shards with
 * k % N == I, so N runs together write exactly the files one run writes. A shard is written atomically after all its
 * rows, so a present shard is complete: a rerun keeps it (after checking that its metadata matches this input) and
 * makes the others. A row that cannot be embedded (empty caption, too few fields, a dead URL, not an image) is skipped
 * with one line to the listener and recorded in its shard's metadata ({@code skipped}, {@code skipped_rows}).
 *
 * <p>Per-sample text files ({@link PairFiles#writeText}, the original work's {@code CLIP Embedding:} layout) are named
 * {@code muestra_ROW.txt}; they are written before their shard. With text files only, {@code pairs-kkkkk.done.json}
 * (the shard's metadata) is written after them and marks the shard complete. Embeddings depend on the batch a row is
 * embedded in (by rounding), so a rerun remakes whole shards: the files are those of an uninterrupted run.
 */
public final class EmbedPairs {
    /** Progress of a run; every method does nothing unless overridden. */
    public interface Listener {
        /** The file has {@code rows} rows in {@code shards} shards; this run makes {@code shardsToDo} holding {@code rowsToDo} rows. */
        default void planned(long rows, int shards, long rowsToDo, int shardsToDo) {}

        /** {@code rows} more rows were handled (embedded, skipped, passed over or kept). */
        default void progress(long rows) {}

        /** Row {@code row} was skipped. */
        default void skipped(long row, String reason) {}

        /** Shard {@code file} was written with {@code pairs} pairs, {@code skipped} rows skipped. */
        default void shardWritten(Path file, int pairs, int skipped) {}

        default void note(String message) {}
    }

    /** What a run did: rows of the file, shards in all, shards written now and kept from before, pairs written, rows skipped. */
    public record Summary(long rows, int shards, int shardsWritten, int shardsKept, long pairs, long skipped) {}

    public static final String SHARD_PREFIX = "pairs-", SHARD_SUFFIX = ".safetensors";

    private final String caller;
    private final Listener listener;

    public EmbedPairs(String caller, Listener listener) {
        this.caller = caller;
        this.listener = listener == null ? new Listener() {} : listener;
    }

    /** Shard k's file name. */
    public static String shardName(int k) {
        return String.format(Locale.ROOT, "%s%05d%s", SHARD_PREFIX, k, SHARD_SUFFIX);
    }

    /**
     * The file whose presence says shard k is complete: the shard itself, or with text files only, {@code
     * pairs-kkkkk.done.json} in the text folder (the shard's metadata, written after its text files).
     */
    public static Path doneFile(EmbedSettings s, int k) {
        return s.out() != null ? s.out().resolve(shardName(k)) : s.textOut().resolve(String.format(Locale.ROOT, "%s%05d.done.json", SHARD_PREFIX, k));
    }

    /** Row {@code row}'s per-sample text file name. */
    public static String textName(long row) {
        return "muestra_" + row + ".txt";
    }

    /** The columns the settings name, resolved against the header (or as indices). */
    private record Columns(int caption, int image, int id, Map<Integer, Set<String>> where, int needed, List<String> header) {}

    /** The input checked (its columns resolved, its records counted) before any model is loaded. */
    public static final class Plan {
        final EmbedSettings settings;
        final Columns columns;
        final long rows;

        private Plan(EmbedSettings settings, Columns columns, long rows) {
            this.settings = settings;
            this.columns = columns;
            this.rows = rows;
        }

        /** The rows of the file (after the header, up to the limit). */
        public long rows() {
            return rows;
        }
    }

    /** Reads the input once: the columns must exist and every record must parse; one-line errors otherwise. */
    public static Plan plan(EmbedSettings s) {
        long rows = 0;
        try (CsvReader r = CsvReader.open(s.input(), s.delimiter(), s.quotes())) {
            List<String> header = s.header() ? r.next() : null;
            if (s.header() && header == null) throw SynesthesiaException.inFile(s.input(), "empty file (no header row)");
            Columns cols = columns(s, header);
            while ((s.limit() < 0 || rows < s.limit()) && r.next() != null) rows++;
            return new Plan(s, cols, rows);
        }
    }

    /** {@link #run(Plan, ClipEmbedder, ClapTextModel, RobertaTokenizer)} of {@link #plan}. */
    public Summary run(EmbedSettings s, ClipEmbedder clip, ClapTextModel clap, RobertaTokenizer roberta) {
        return run(plan(s), clip, clap, roberta);
    }

    /** Makes the pairs of this run's shards; a row's failure is skipped, a model or file error is thrown. */
    public Summary run(Plan plan, ClipEmbedder clip, ClapTextModel clap, RobertaTokenizer roberta) {
        EmbedSettings s = plan.settings;
        Columns cols = plan.columns;
        long rows = plan.rows;
        int R = s.rowsPerShard();
        long shardsLong = (rows + R - 1) / R;
        if (shardsLong > Integer.MAX_VALUE) throw new SynesthesiaException(caller + ": " + rows + " rows make too many shards; raise --rows-per-shard");
        int shards = (int) shardsLong;
        boolean[] todo = new boolean[shards];
        int shardsToDo = 0, kept = 0;
        long rowsToDo = 0;
        for (int k = 0; k < shards; k++) {
            if (k % s.shardCount() != s.shardIndex()) continue;
            long first = (long) k * R, end = Math.min(rows, first + R);
            if (Files.exists(doneFile(s, k))) {
                checkKept(s, k, first, end, clip, clap);
                kept++;
                continue;
            }
            todo[k] = true;
            shardsToDo++;
            rowsToDo += end - first;
        }
        try {
            if (s.out() != null) Files.createDirectories(s.out());
            if (s.textOut() != null) Files.createDirectories(s.textOut());
        } catch (IOException e) {
            throw new SynesthesiaException(caller + ": cannot create the output folder: " + e.getMessage());
        }
        listener.planned(rows, shards, rowsToDo, shardsToDo);
        if (kept > 0) listener.note(kept + " complete shard" + (kept == 1 ? "" : "s") + " already in " + (s.out() != null ? s.out() : s.textOut()) + " kept");
        Run run = new Run(s, cols, clip, clap, roberta, rows);
        if (shardsToDo > 0) run.all(todo);
        return new Summary(rows, shards, run.written, kept, run.pairs, run.skipped);
    }

    private static Columns columns(EmbedSettings s, List<String> header) {
        int caption = column(s, header, s.captionColumn(), "caption");
        int image = s.imageColumn() == null ? -1 : column(s, header, s.imageColumn(), "image");
        int id = s.idColumn() == null ? -1 : column(s, header, s.idColumn(), "id");
        Map<Integer, Set<String>> where = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : s.where().entrySet())
            where.put(column(s, header, e.getKey(), "filter"), new HashSet<>(e.getValue()));
        int needed = Math.max(caption, Math.max(image, id));
        for (int c : where.keySet()) needed = Math.max(needed, c);
        return new Columns(caption, image, id, where, needed + 1, header);
    }

    /** A column by header name (surrounding spaces ignored) or 0-based index. */
    private static int column(EmbedSettings s, List<String> header, String spec, String what) {
        if (header != null)
            for (int i = 0; i < header.size(); i++) if (header.get(i).strip().equals(spec.strip())) return i;
        if (spec.matches("\\d{1,9}")) {
            int i = Integer.parseInt(spec);
            if (header != null && i >= header.size())
                throw SynesthesiaException.inFile(s.input(), "the " + what + " column " + i + " is past the header's " + header.size() + " columns");
            return i;
        }
        if (header == null)
            throw SynesthesiaException.inFile(s.input(), "the " + what + " column '" + spec + "' must be an index (0, 1, ...): the file has no header");
        throw SynesthesiaException.inFile(s.input(), "no " + what + " column '" + spec + "' (its columns: " + String.join(", ", header) + ")");
    }

    /** Metadata every shard of this input carries; a kept shard must match it. */
    private static Map<String, String> identity(EmbedSettings s, long first, long end, int k) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("source", s.input().getFileName().toString());
        m.put("clip_input", s.images() ? "image:" + s.imageColumn() : "caption:" + s.captionColumn());
        m.put("clap_input", "caption:" + s.captionColumn());
        m.put("rows_per_shard", String.valueOf(s.rowsPerShard()));
        m.put("shard", String.valueOf(k));
        m.put("first_row", String.valueOf(first));
        m.put("end_row", String.valueOf(end));
        return m;
    }

    private void checkKept(EmbedSettings s, int k, long first, long end, ClipEmbedder clip, ClapTextModel clap) {
        Path f = doneFile(s, k);
        Map<String, String> meta = new LinkedHashMap<>();
        if (s.out() != null) {
            try (SafeTensors st = SafeTensors.open(f)) {
                meta = st.metadata();
            } catch (SynesthesiaException e) {
                throw new SynesthesiaException(f + ": present but not a readable pair shard (" + e.getMessage() + "); remove it or use another --out");
            }
        } else {
            try {
                for (Map.Entry<String, Object> e : Json.parseObject(Files.readString(f)).entrySet()) meta.put(e.getKey(), String.valueOf(e.getValue()));
            } catch (IOException | IllegalArgumentException e) {
                throw SynesthesiaException.inFile(f, "present but not readable (" + e.getMessage() + "); remove it");
            }
        }
        if (!PairFiles.FORMAT.equals(meta.get("format")))
            throw SynesthesiaException.inFile(f, "present but not a pair shard's record; remove it or use another output folder");
        for (Map.Entry<String, String> e : identity(s, first, end, k).entrySet())
            if (!e.getValue().equals(meta.get(e.getKey())))
                throw SynesthesiaException.inFile(f, "made with " + e.getKey() + " = " + meta.get(e.getKey()) + ", this run has " + e.getValue()
                        + " (a different input or --rows-per-shard); use another output folder");
        for (String[] kv : new String[][] {{"clip_model", clip.description()}, {"clap_model", clap.description()}})
            if (meta.containsKey(kv[0]) && !kv[1].equals(meta.get(kv[0])))
                throw SynesthesiaException.inFile(f, "made with another " + kv[0] + " (" + meta.get(kv[0]) + "); use another output folder");
    }

    /** One pass over the rows, making the shards marked to do. */
    private final class Run {
        final EmbedSettings s;
        final Columns cols;
        final ClipEmbedder clip;
        final ClapTextModel clap;
        final RobertaTokenizer roberta;
        final long rows;
        int written;
        long pairs, skipped, failuresThisRun;

        // the shard being made
        int k = -1;
        final List<Long> rowIds = new ArrayList<>();
        final List<String> ids = new ArrayList<>();
        final List<float[]> clips = new ArrayList<>(), claps = new ArrayList<>();
        final List<String> skippedRows = new ArrayList<>();
        long passedOver;
        // the batch being gathered
        final List<Long> bRows = new ArrayList<>();
        final List<String> bIds = new ArrayList<>(), bCaptions = new ArrayList<>(), bInputs = new ArrayList<>();
        final List<String> bFailed = new ArrayList<>(); // a row's failure found before embedding, else null

        Run(EmbedSettings s, Columns cols, ClipEmbedder clip, ClapTextModel clap, RobertaTokenizer roberta, long rows) {
            this.s = s;
            this.cols = cols;
            this.clip = clip;
            this.clap = clap;
            this.roberta = roberta;
            this.rows = rows;
        }

        void all(boolean[] todo) {
            int R = s.rowsPerShard();
            try (CsvReader r = CsvReader.open(s.input(), s.delimiter(), s.quotes())) {
                if (s.header()) r.next();
                for (long row = 0; row < rows; row++) {
                    List<String> rec = r.next();
                    if (rec == null) throw SynesthesiaException.inFile(s.input(), "changed while being read (ends at row " + row + " of " + rows + ")");
                    int shard = (int) (row / R);
                    if (!todo[shard]) continue;
                    if (shard != k) begin(shard);
                    row(row, r.line(), rec);
                    if (row + 1 == Math.min(rows, (long) (shard + 1) * R)) {
                        flush();
                        finish();
                    }
                }
            }
        }

        void begin(int shard) {
            k = shard;
            rowIds.clear();
            ids.clear();
            clips.clear();
            claps.clear();
            skippedRows.clear();
            passedOver = 0;
        }

        void row(long row, long line, List<String> rec) {
            if (rec.size() < cols.needed()) {
                add(row, null, null, null, "line " + line + ": " + rec.size() + " field" + (rec.size() == 1 ? "" : "s") + ", expected at least " + cols.needed());
                return;
            }
            for (Map.Entry<Integer, Set<String>> w : cols.where().entrySet())
                if (!w.getValue().contains(rec.get(w.getKey()).strip())) {
                    passedOver++;
                    listener.progress(1);
                    return;
                }
            String caption = rec.get(cols.caption());
            if (caption.isBlank()) {
                add(row, null, null, null, "line " + line + ": empty caption");
                return;
            }
            String input = caption;
            if (cols.image() >= 0) {
                input = rec.get(cols.image()).strip();
                if (input.isEmpty()) {
                    add(row, null, null, null, "line " + line + ": empty image path or URL");
                    return;
                }
            }
            String id = cols.id() >= 0 ? rec.get(cols.id()) : cols.image() >= 0 ? input : "row " + row;
            add(row, id, caption, input, null);
        }

        /** Adds a row to the batch (failed already when {@code failure} is not null: reported in row order at the flush). */
        void add(long row, String id, String caption, String input, String failure) {
            bRows.add(row);
            bIds.add(id);
            bCaptions.add(caption);
            bInputs.add(input);
            bFailed.add(failure);
            if (bRows.size() - failedCount() >= s.batch()) flush(); // a batch of rows to embed (failed ones ride along)
        }

        int failedCount() {
            int n = 0;
            for (String f : bFailed) if (f != null) n++;
            return n;
        }

        /** Embeds the gathered batch: CLIP of every input, then CLAP of the captions whose CLIP side succeeded. */
        void flush() {
            int n = bRows.size();
            if (n == 0) return;
            List<Integer> live = new ArrayList<>(); // rows not failed yet
            List<String> inputs = new ArrayList<>();
            for (int i = 0; i < n; i++)
                if (bFailed.get(i) == null) {
                    live.add(i);
                    inputs.add(bInputs.get(i));
                }
            String[] failures = new String[n], liveFailures = new String[live.size()];
            int dc = clip.dim();
            float[] c = new float[n * dc];
            if (!live.isEmpty()) {
                float[] e = clip.embed(inputs, liveFailures);
                if (e.length != live.size() * dc) throw new IllegalStateException("CLIP side returned " + e.length + " values for " + live.size() + " rows of " + dc);
                for (int j = 0; j < live.size(); j++) {
                    System.arraycopy(e, j * dc, c, live.get(j) * dc, dc);
                    failures[live.get(j)] = liveFailures[j];
                }
            }
            for (int i = 0; i < n; i++) if (bFailed.get(i) != null) failures[i] = bFailed.get(i);
            List<String> ok = new ArrayList<>();
            for (int i = 0; i < n; i++) if (failures[i] == null) ok.add(bCaptions.get(i));
            float[] a = ok.isEmpty() ? new float[0] : clap.embed(roberta, ok).toArray();
            int da = ok.isEmpty() ? 0 : a.length / ok.size();
            for (int i = 0, j = 0; i < n; i++) {
                if (failures[i] != null) {
                    fail(bRows.get(i), failures[i]);
                    continue;
                }
                float[] ci = new float[dc], ai = new float[da];
                System.arraycopy(c, i * dc, ci, 0, dc);
                System.arraycopy(a, j * da, ai, 0, da);
                j++;
                rowIds.add(bRows.get(i));
                ids.add(bIds.get(i));
                clips.add(ci);
                claps.add(ai);
            }
            listener.progress(n);
            bRows.clear();
            bIds.clear();
            bCaptions.clear();
            bInputs.clear();
            bFailed.clear();
        }

        void fail(long row, String reason) {
            skipped++;
            failuresThisRun++;
            skippedRows.add(row + ": " + reason);
            listener.skipped(row, reason);
            if (s.maxFailures() >= 0 && failuresThisRun > s.maxFailures())
                throw new SynesthesiaException(caller + ": " + failuresThisRun + " rows failed, more than --max-failures " + s.maxFailures()
                        + " (the last: row " + row + ": " + reason + "); the shards written are complete, a rerun resumes");
        }

        void finish() {
            int n = ids.size();
            int dc = clip.dim(), da = n > 0 ? claps.get(0).length : clap.config().projectionDim();
            float[] c = new float[n * dc], a = new float[n * da];
            for (int i = 0; i < n; i++) {
                System.arraycopy(clips.get(i), 0, c, i * dc, dc);
                System.arraycopy(claps.get(i), 0, a, i * da, da);
            }
            EmbeddingPairs p = new EmbeddingPairs(c, dc, a, da, ids);
            long first = (long) k * s.rowsPerShard(), end = Math.min(rows, first + s.rowsPerShard());
            try {
                if (s.textOut() != null)
                    for (int i = 0; i < n; i++) PairFiles.writeText(s.textOut().resolve(textName(rowIds.get(i))), clips.get(i), claps.get(i));
                Map<String, String> meta = identity(s, first, end, k);
                meta.put("clip_model", clip.description());
                meta.put("clap_model", clap.description());
                meta.put("rows", Json.write(rowIds));
                meta.put("skipped", String.valueOf(skippedRows.size()));
                meta.put("skipped_rows", Json.write(skippedRows));
                meta.put("passed_over", String.valueOf(passedOver));
                Path f = doneFile(s, k);
                if (s.out() != null) {
                    PairFiles.writeShard(f, p, meta);
                } else {
                    Map<String, String> record = new LinkedHashMap<>();
                    record.put("format", PairFiles.FORMAT);
                    record.putAll(meta);
                    record.put("ids", Json.write(ids));
                    byte[] bytes = (Json.write(record) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    AtomicFiles.write(f, o -> o.write(bytes));
                }
                written++;
                listener.shardWritten(f, n, skippedRows.size());
            } catch (IOException e) {
                throw new SynesthesiaException(caller + ": cannot write shard " + k + ": " + e.getMessage());
            }
            pairs += n;
            k = -1;
        }
    }
}
