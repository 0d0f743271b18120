package org.synesthesia.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@link EmbedPairs} reads and writes.
 *
 * @param input         the dataset file (CSV or TSV, optionally .gz)
 * @param delimiter     ',' or tab
 * @param quotes        RFC 4180 quoting (false: a plain delimited file whose quotes are literal)
 * @param header        whether the first record names the columns
 * @param captionColumn the caption's column: a header name, or a 0-based index
 * @param imageColumn   the image path or URL's column (the CLIP side is the image), or null (the CLIP side is the caption)
 * @param idColumn      the column naming each row in the shards' {@code ids}, or null (the image column, else "row N")
 * @param where         rows are kept only when each of these columns holds one of the listed values (e.g. WIT's
 *                      {@code language} in en, uk); other rows are passed over silently (not failures)
 * @param limit         rows of the file considered, from the first (-1: all)
 * @param rowsPerShard  rows of the file per shard: shard k covers rows [k R, (k+1) R)
 * @param shardIndex    this run makes the shards k with {@code k % shardCount == shardIndex}
 * @param shardCount    the number of runs sharing the work (1: all shards)
 * @param out           the folder of pair shards, or null
 * @param textOut       the folder of the original work's per-sample text files, or null (one of the two is given)
 * @param maxFailures   stop once more rows than this failed in this run (-1: never)
 * @param batch         rows embedded together
 */
public record EmbedSettings(Path input, char delimiter, boolean quotes, boolean header, String captionColumn, String imageColumn, String idColumn,
                            Map<String, List<String>> where, long limit, int rowsPerShard, int shardIndex, int shardCount, Path out,
                            Path textOut, long maxFailures, int batch) {
    public static final int DEFAULT_ROWS_PER_SHARD = 1024;
    public static final int DEFAULT_BATCH = 8;

    public EmbedSettings {
        if (input == null || captionColumn == null) throw new IllegalArgumentException("input and caption column are required");
        if (out == null && textOut == null) throw new IllegalArgumentException("an output folder is required (shards or text files)");
        if (rowsPerShard <= 0) throw new IllegalArgumentException("rows per shard must be positive, not " + rowsPerShard);
        if (shardCount <= 0 || shardIndex < 0 || shardIndex >= shardCount)
            throw new IllegalArgumentException("shard " + shardIndex + "/" + shardCount + ": expected 0 <= I < N");
        if (batch <= 0) throw new IllegalArgumentException("batch must be positive, not " + batch);
        where = where == null ? Map.of() : Map.copyOf(where);
    }

    /** Whether the CLIP side is the image (else the caption). */
    public boolean images() {
        return imageColumn != null;
    }
}
