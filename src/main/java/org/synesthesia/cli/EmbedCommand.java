package org.synesthesia.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.synesthesia.audioldm.ClapTokenizers;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.image.ImageInput;
import org.synesthesia.image.ImagePreprocess;
import org.synesthesia.pipeline.ClipEmbedder;
import org.synesthesia.pipeline.ClipImageEmbedder;
import org.synesthesia.pipeline.ClipTextEmbedder;
import org.synesthesia.pipeline.EmbedPairs;
import org.synesthesia.pipeline.EmbedSettings;
import org.synesthesia.text.CsvReader;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code synesthesia embed DATASET --clip MODEL --clap PATH --out DIR}: translator training pairs ({@link EmbedPairs})
 * from an AudioCaps CSV (CLIP text and CLAP text of each caption) or an image-caption list (WIT TSV, Conceptual
 * Captions TSV: CLIP image and CLAP text).
 */
public final class EmbedCommand implements Command {
    /** A dataset layout: delimiter, header, and its default columns. */
    enum Format {
        AUDIOCAPS(',', true, "caption", null, "audiocap_id"),
        WIT('\t', true, "caption_reference_description", "image_url", null),
        CC('\t', false, "0", "1", null),
        CSV(',', true, null, null, null),
        TSV('\t', true, null, null, null);

        final char delimiter;
        final boolean header;
        final String caption, image, id;

        Format(char delimiter, boolean header, String caption, String image, String id) {
            this.delimiter = delimiter;
            this.header = header;
            this.caption = caption;
            this.image = image;
            this.id = id;
        }
    }

    @Override
    public String name() {
        return "embed";
    }

    @Override
    public String summary() {
        return "build CLIP/CLAP training pairs for the translator from AudioCaps, WIT or Conceptual Captions";
    }

    @Override
    public String usage() {
        return """
                usage: synesthesia embed DATASET --clip MODEL --clap PATH [--tokenizer DIR] [--clip-tokenizer PATH]
                                         [--format audiocaps|wit|cc|csv|tsv] [--caption-column C] [--image-column C]
                                         [--id-column C] [--no-header] [--no-quotes] [--where COLUMN=V1,V2] [--limit N]
                                         [--preprocess clip|seed] [--rows-per-shard 1024] [--shard I/N] [--batch 8]
                                         [--max-failures N]
                                         (--out DIR | --text-out DIR | both)

                Translator training pairs, one per row of DATASET (CSV or TSV, optionally .gz): CLAP's text embedding
                of the row's caption (as `audio` embeds a prompt, L2-normalised, 512-d) paired with CLIP's embedding
                of the caption (AudioCaps: get_text_features, the end token's pooled state times text_projection) or of
                the row's image (WIT, Conceptual Captions). Rows that fail (empty caption, missing fields, a dead URL,
                not an image) are skipped with one line each and counted in the shard's metadata.
                  --clip MODEL        CLIP: a CLIPModel or CLIPTextModelWithProjection (folder with config.json,
                                      or a checkpoint file) for captions; a CLIPModel or CLIPVisionModelWithProjection
                                      for images (image_embeds, not normalised, as openai's encode_image)
                  --clip-tokenizer P  CLIP tokenizer folder (vocab.json, merges.txt) or openai's bpe .gz; default:
                                      the model's folder, or tokenizer/ in or beside it
                  --clap PATH         CLAP text weights: an AudioLDM checkpoint, bare CLAP weights, or a diffusers
                                      AudioLDMPipeline folder (its text_encoder/)
                  --tokenizer DIR     the roberta-base tokenizer folder; default: tokenizer/ or roberta-base/ beside --clap
                  --format F          audiocaps: CSV with header, caption column 'caption', ids 'audiocap_id';
                                      wit: TSV with header, image 'image_url', caption 'caption_reference_description';
                                      cc: Conceptual Captions TSV, no header: caption<TAB>url (columns 0 and 1);
                                      csv / tsv: give the columns. Default: from the header (audiocap_id: audiocaps,
                                      image_url: wit), else give --format
                  --caption-column C, --image-column C, --id-column C
                                      a header name or a 0-based index; an image column makes the CLIP side the
                                      image; ids name the rows in the shards (default: the image, else "row N")
                  --no-header         the first line is a row
                  --no-quotes         a plain delimited file: quotes are part of the text (default: RFC 4180 quoting,
                                      "..." fields may hold delimiters, line breaks and "" for a quote)
                  --preprocess P      images: clip (CLIPImageProcessor, the model folder's preprocessor_config.json
                                      if any; default) or seed (the original work's 224x224 resize, ImageNet mean/std)
                  --where COL=V1,V2   keep only rows whose COL is one of the values (e.g. WIT's language=en,uk, as the
                                      original work did); the others are passed over, not failures. Repeatable
                  --limit N           only the first N rows
                  --rows-per-shard R  rows of the file per shard (default 1024): shard k = rows [kR, (k+1)R) in
                                      DIR/pairs-kkkkk.safetensors (tensors clip [n, Dclip], clap [n, 512]; metadata:
                                      ids, rows, skipped rows and why, models, source)
                  --shard I/N         make only the shards k with k % N == I, so N machines share the work and
                                      together write exactly the files of one run
                  --batch B           rows embedded together (default 8); images of a batch are fetched concurrently.
                                      Relative image paths are taken from the dataset file's folder
                  --max-failures N    stop (exit 1) once more than N rows failed in this run
                  --out DIR           the shards; a rerun keeps the shards present (written atomically, so complete)
                                      and makes the rest: an interrupted run resumes
                  --text-out DIR      also (or only) the original work's per-sample text files, muestra_ROW.txt
                                      ("CLIP Embedding:" then "CLAP Embedding:", one value a line); with text files
                                      only, a rerun keeps the rows whose file exists""";
    }

    @Override
    public java.util.Set<String> flags() {
        return java.util.Set.of("no-header", "no-quotes");
    }

    @Override
    public int run(Args args) throws Exception {
        Path input = Path.of(args.positional(0, "dataset file"));
        Path clipPath = Path.of(args.require("clip"));
        Path clipTokenizer = args.path("clip-tokenizer");
        Path clapPath = Path.of(args.require("clap"));
        Path tokenizerGiven = args.path("tokenizer");
        String formatName = args.get("format", null);
        String captionColumn = args.get("caption-column", null), imageColumn = args.get("image-column", null), idColumn = args.get("id-column", null);
        boolean noHeader = args.flag("no-header"), noQuotes = args.flag("no-quotes");
        List<String> whereArgs = args.all("where");
        long limit = args.getLong("limit", -1);
        int rowsPerShard = args.getInt("rows-per-shard", EmbedSettings.DEFAULT_ROWS_PER_SHARD);
        String shard = args.get("shard", "0/1");
        int batch = args.getInt("batch", EmbedSettings.DEFAULT_BATCH);
        long maxFailures = args.getLong("max-failures", -1);
        Path out = args.path("out"), textOut = args.path("text-out");
        ImagePreprocess preprocess = ImagePreprocess.parse(args.get("preprocess", "clip"));
        args.finish();
        if (args.positionals().size() > 1) throw new SynesthesiaException("embed: one dataset file expected, got " + args.positionals().size());
        if (out == null && textOut == null) throw new SynesthesiaException("embed: give --out DIR (shards) and/or --text-out DIR (per-sample text files)");
        if (!Files.isRegularFile(input)) throw SynesthesiaException.inFile(input, "no such dataset file");
        if (!Files.exists(clipPath)) throw SynesthesiaException.inFile(clipPath, "no such CLIP model");
        if (!Files.exists(clapPath)) throw SynesthesiaException.inFile(clapPath, "no such CLAP file");
        if (rowsPerShard <= 0) throw new SynesthesiaException("embed: --rows-per-shard must be positive, not " + rowsPerShard);
        if (batch <= 0) throw new SynesthesiaException("embed: --batch must be positive, not " + batch);
        if (limit < -1 || limit == 0) throw new SynesthesiaException("embed: --limit must be positive, not " + limit);
        if (maxFailures < -1) throw new SynesthesiaException("embed: --max-failures must be 0 or more, not " + maxFailures);
        int[] in = shard(shard);
        Map<String, List<String>> where = new LinkedHashMap<>();
        for (String w : whereArgs) {
            int eq = w.indexOf('=');
            if (eq <= 0) throw new SynesthesiaException("embed: --where must be COLUMN=VALUE[,VALUE...], not '" + w + "'");
            where.put(w.substring(0, eq), Arrays.asList(w.substring(eq + 1).split(",", -1)));
        }

        Format format = formatName != null ? format(formatName) : detect(input);
        if (captionColumn == null) captionColumn = format.caption;
        if (imageColumn == null) imageColumn = format.image;
        if (idColumn == null) idColumn = format.id;
        if (captionColumn == null) throw new SynesthesiaException("embed: --format " + format.name().toLowerCase(Locale.ROOT) + " needs --caption-column");
        // audiocaps and wit: the delimiter the file's name says (.csv / .tsv); cc, csv, tsv: their own
        char delimiter = format == Format.AUDIOCAPS || format == Format.WIT ? CsvReader.delimiterFor(input) : format.delimiter;
        EmbedSettings settings = new EmbedSettings(input, delimiter, !noQuotes, format.header && !noHeader, captionColumn, imageColumn, idColumn, where, limit,
                rowsPerShard, in[0], in[1], out, textOut, maxFailures, batch);

        EmbedPairs.Plan plan = EmbedPairs.plan(settings); // the input's columns and records, before any model loads
        Path clapFile = Files.isDirectory(clapPath) && Files.isRegularFile(clapPath.resolve("model_index.json")) ? clapPath.resolve("text_encoder") : clapPath;
        RobertaTokenizer roberta = ClapTokenizers.find(tokenizerGiven, clapPath, null);
        Listener listener = new Listener();
        try (ClipEmbedder clip = clipSide(settings, clipPath, clipTokenizer, preprocess); ClapTextModel clap = ClapTextModel.load(clapFile, null)) {
            Progress.info("embed: CLIP " + clip.description());
            Progress.info("embed: CLAP " + clap.description());
            EmbedPairs.Summary s;
            try {
                s = new EmbedPairs("embed", listener).run(plan, clip, clap, roberta);
            } finally {
                listener.close();
            }
            Progress.info(String.format(Locale.ROOT, "embed: %d rows, %d shards: %d written now (%d pairs, %d rows skipped), %d kept from before; %s",
                    s.rows(), s.shards(), s.shardsWritten(), s.pairs(), s.skipped(), s.shardsKept(),
                    out != null ? "shards in " + out + (textOut != null ? ", text files in " + textOut : "") : "text files in " + textOut));
        }
        return 0;
    }

    /** The CLIP side: captions through the text model, or images (paths relative to the dataset's folder) through the vision model. */
    private static ClipEmbedder clipSide(EmbedSettings s, Path clip, Path tokenizer, ImagePreprocess preprocess) {
        if (s.images()) return ClipImageEmbedder.load(clip, preprocess, new ImageInput(), s.input().toAbsolutePath().getParent());
        return ClipTextEmbedder.load(clip, tokenizer);
    }

    /** {@code I/N} with 0 <= I < N. */
    static int[] shard(String v) {
        String[] p = v.split("/", -1);
        try {
            if (p.length == 2) {
                int i = Integer.parseInt(p[0].strip()), n = Integer.parseInt(p[1].strip());
                if (n > 0 && i >= 0 && i < n) return new int[] {i, n};
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new SynesthesiaException("embed: --shard must be I/N with 0 <= I < N (e.g. 0/4), not '" + v + "'");
    }

    private static Format format(String name) {
        for (Format f : Format.values()) if (f.name().equalsIgnoreCase(name)) return f;
        throw new SynesthesiaException("embed: --format must be audiocaps, wit, cc, csv or tsv, not '" + name + "'");
    }

    /** The format the first line names: a column audiocap_id is AudioCaps, image_url is WIT. */
    private static Format detect(Path input) {
        List<String> first;
        try (CsvReader r = CsvReader.open(input, CsvReader.delimiterFor(input))) {
            first = r.next();
        }
        if (first == null) throw SynesthesiaException.inFile(input, "empty dataset file");
        List<String> names = first.stream().map(String::strip).toList();
        if (names.contains("audiocap_id")) return Format.AUDIOCAPS;
        if (names.contains("image_url")) return Format.WIT;
        throw SynesthesiaException.inFile(input, "cannot tell the dataset's layout from its first line (no audiocap_id or image_url column); give --format");
    }

    /** Rows as a progress line, each skipped row as one line on stderr (also with --quiet), shards as notes. */
    private static final class Listener implements EmbedPairs.Listener {
        Progress progress;

        @Override
        public void planned(long rows, int shards, long rowsToDo, int shardsToDo) {
            Progress.info(String.format(Locale.ROOT, "embed: %d rows in %d shards; this run makes %d shards (%d rows)", rows, shards, shardsToDo, rowsToDo));
            if (rowsToDo > 0) progress = Progress.start("embed", rowsToDo, "rows");
        }

        @Override
        public void progress(long rows) {
            if (progress != null) progress.advance(rows);
        }

        @Override
        public void skipped(long row, String reason) {
            System.err.println("embed: row " + row + " skipped: " + reason);
        }

        @Override
        public void note(String message) {
            Progress.info("embed: " + message);
        }

        void close() {
            if (progress != null) progress.close();
        }
    }
}
