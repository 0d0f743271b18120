package org.synesthesia.image;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.synesthesia.util.SynesthesiaException;

/**
 * Reads an image from a path or an {@code http(s)} URL into 8-bit RGB ({@link RgbImage}), as PIL's
 * {@code Image.open(f).convert("RGB")}: PNG, JPEG, BMP, GIF (first frame), recognised by magic bytes. The header's
 * size is checked against the limits before decoding (decompression bombs); a truncated file, something that is not
 * an image, a file that cannot be read or a URL that fails is one line ({@link SynesthesiaException}) naming the
 * file or URL and the problem.
 */
public final class ImageInput {
    /**
     * Limits. {@code readTimeout} bounds the whole response (headers and body) of each request; {@code maxPixels}
     * defaults to PIL's {@code Image.MAX_IMAGE_PIXELS} (89,478,485 = 1024^3 / 4 / 3).
     */
    public record Options(Duration connectTimeout, Duration readTimeout, int maxRedirects, long maxDownloadBytes,
                          long maxFileBytes, int maxSide, long maxPixels) {
        /** PIL's default {@code Image.MAX_IMAGE_PIXELS}. */
        public static final long PIL_MAX_IMAGE_PIXELS = 89_478_485L;

        public Options {
            if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative() || readTimeout.isZero())
                throw new IllegalArgumentException("timeouts must be positive");
            if (maxRedirects < 0 || maxDownloadBytes <= 0 || maxFileBytes <= 0 || maxSide <= 0 || maxPixels <= 0)
                throw new IllegalArgumentException("limits must be positive");
        }

        /** 10 s connect, 30 s read, 5 redirects, 50 MB download, 256 MiB file, 16384 per side, PIL's pixel limit. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(10), Duration.ofSeconds(30), 5, 50_000_000L, 256L << 20, 16384, PIL_MAX_IMAGE_PIXELS);
        }

        public Options withTimeouts(Duration connect, Duration read) {
            return new Options(connect, read, maxRedirects, maxDownloadBytes, maxFileBytes, maxSide, maxPixels);
        }

        public Options withMaxDownloadBytes(long bytes) {
            return new Options(connectTimeout, readTimeout, maxRedirects, bytes, maxFileBytes, maxSide, maxPixels);
        }

        public Options withMaxRedirects(int n) {
            return new Options(connectTimeout, readTimeout, n, maxDownloadBytes, maxFileBytes, maxSide, maxPixels);
        }

        public Options withLimits(int side, long pixels) {
            return new Options(connectTimeout, readTimeout, maxRedirects, maxDownloadBytes, maxFileBytes, side, pixels);
        }
    }

    private final Options options;
    private ImageFetcher fetcher;

    public ImageInput() {
        this(Options.defaults());
    }

    public ImageInput(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    /** True when {@code s} starts with a URL scheme ({@code name://}); only http and https are then read. */
    public static boolean isUrl(String s) {
        return s.matches("(?i)[a-z][a-z0-9+.-]*://.*");
    }

    /** The image at {@code pathOrUrl}: an {@code http://} or {@code https://} URL, else a file path. */
    public RgbImage read(String pathOrUrl) {
        if (isUrl(pathOrUrl)) {
            String scheme = pathOrUrl.substring(0, pathOrUrl.indexOf(':')).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https"))
                throw SynesthesiaException.inFile(pathOrUrl, "only http and https URLs are read");
            URI uri;
            try {
                uri = new URI(pathOrUrl);
            } catch (URISyntaxException e) {
                throw SynesthesiaException.inFile(pathOrUrl, "not a valid URL: " + e.getReason());
            }
            return readUrl(uri);
        }
        return readFile(Path.of(pathOrUrl));
    }

    /** The image in {@code file}. */
    public RgbImage readFile(Path file) {
        byte[] data;
        try {
            if (Files.isDirectory(file)) throw SynesthesiaException.inFile(file, "is a directory, not an image");
            long size = Files.size(file);
            if (size > options.maxFileBytes())
                throw SynesthesiaException.inFile(file, "too large: " + size + " bytes, the limit is " + options.maxFileBytes());
            try (InputStream in = Files.newInputStream(file)) {
                data = in.readNBytes((int) Math.min(size + 1, options.maxFileBytes()));
            }
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(file, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot read: " + e.getMessage());
        }
        return decode(data, file);
    }

    /** The image at an http(s) {@code url}. */
    public RgbImage readUrl(URI url) {
        synchronized (this) {
            if (fetcher == null) fetcher = new ImageFetcher(options);
        }
        return decode(fetcher.fetch(url), url);
    }

    /** Image bytes from {@code source} (named in errors) to RGB. */
    public RgbImage decode(byte[] data, Object source) {
        return ImageDecoder.decode(data, source, options.maxSide(), options.maxPixels());
    }
}
