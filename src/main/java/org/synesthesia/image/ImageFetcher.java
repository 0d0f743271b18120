package org.synesthesia.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.synesthesia.util.SynesthesiaException;

/**
 * Downloads an image over http(s) with {@code java.net.http}: a connect timeout, a read timeout for the whole response
 * (headers and body), redirects followed by hand (at most {@code maxRedirects}, http and https only), a size cap
 * checked against {@code Content-Length} and again while the body streams in, and a content-type check
 * ({@code image/*}, {@code application/octet-stream}, or none; the magic bytes are checked after). Every failure is
 * one line naming the URL.
 */
final class ImageFetcher {
    private final ImageInput.Options options;
    private final HttpClient client;

    ImageFetcher(ImageInput.Options options) {
        this.options = options;
        this.client = HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The body of {@code url} after redirects, checked as above. */
    byte[] fetch(URI url) {
        URI current = url;
        for (int hop = 0; ; hop++) {
            Response r = get(url, current);
            int s = r.status;
            if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
                if (hop >= options.maxRedirects())
                    throw fail(url, current, "too many redirects (more than " + options.maxRedirects() + ")");
                String loc = r.headers.firstValue("location").orElse(null);
                if (loc == null) throw fail(url, current, "HTTP " + s + " redirect without a Location header");
                URI next;
                try {
                    next = current.resolve(loc.strip());
                } catch (IllegalArgumentException e) {
                    throw fail(url, current, "HTTP " + s + " redirect to a malformed location '" + loc + "'");
                }
                String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https"))
                    throw fail(url, current, "redirect to " + next + " (only http and https are followed)");
                current = next;
                continue;
            }
            if (s < 200 || s >= 300) throw fail(url, current, "HTTP " + s + statusText(s));
            return r.body;
        }
    }

    private record Response(int status, java.net.http.HttpHeaders headers, byte[] body) {}

    private Response get(URI original, URI uri) {
        HttpRequest req;
        try {
            req = HttpRequest.newBuilder(uri).GET().timeout(options.readTimeout())
                    .header("Accept", "image/png,image/jpeg,image/gif,image/bmp,image/*;q=0.8,*/*;q=0.1").build();
        } catch (IllegalArgumentException e) {
            throw fail(original, uri, "not a valid http(s) URL: " + e.getMessage());
        }
        CompletableFuture<HttpResponse<Body>> f = client.sendAsync(req, info -> new CappedBody(info, options.maxDownloadBytes()));
        long timeoutMs = options.readTimeout().toMillis();
        try {
            HttpResponse<Body> resp = f.get(timeoutMs, TimeUnit.MILLISECONDS);
            Body b = resp.body();
            if (b.refusal != null) throw fail(original, uri, b.refusal);
            return new Response(resp.statusCode(), resp.headers(), b.bytes);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw fail(original, uri, "timed out after " + seconds(options.readTimeout().toMillis()) + " (read timeout)");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw fail(original, uri, "interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c != null && (c instanceof ExecutionException || c instanceof java.util.concurrent.CompletionException) && c.getCause() != null) c = c.getCause();
            if (c instanceof HttpConnectTimeoutException)
                throw fail(original, uri, "cannot connect: timed out after " + seconds(options.connectTimeout().toMillis()) + " (connect timeout)");
            if (c instanceof HttpTimeoutException)
                throw fail(original, uri, "timed out after " + seconds(timeoutMs) + " (read timeout)");
            if (c instanceof ConnectException)
                throw fail(original, uri, "cannot connect" + (c.getMessage() == null ? "" : ": " + c.getMessage()));
            if (c instanceof IOException io)
                throw fail(original, uri, "download failed: " + (io.getMessage() == null ? io.getClass().getSimpleName() : io.getMessage()));
            throw fail(original, uri, "download failed: " + c);
        }
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.3g s", ms / 1000.0);
    }

    private static String statusText(int s) {
        return switch (s) {
            case 400 -> " Bad Request";
            case 401 -> " Unauthorized";
            case 403 -> " Forbidden";
            case 404 -> " Not Found";
            case 410 -> " Gone";
            case 429 -> " Too Many Requests";
            case 500 -> " Internal Server Error";
            case 502 -> " Bad Gateway";
            case 503 -> " Service Unavailable";
            case 504 -> " Gateway Timeout";
            default -> "";
        };
    }

    /** {@code URL: problem}, or {@code URL (redirected to URL2): problem}. */
    static SynesthesiaException fail(URI original, URI current, String problem) {
        String where = original.equals(current) ? original.toString() : original + " (redirected to " + current + ")";
        return SynesthesiaException.inFile(where, problem);
    }

    /** A body, or the reason it was not read (status not 2xx needs no body; too large; not an image type). */
    private record Body(byte[] bytes, String refusal) {}

    /**
     * Collects the body up to {@code cap} bytes. For a non-2xx status it reads nothing; for a 2xx with a
     * {@code Content-Length} over the cap, or a content type that is not an image, it cancels at once; past the cap
     * while streaming, it cancels and reports.
     */
    private static final class CappedBody implements HttpResponse.BodySubscriber<Body> {
        private final CompletableFuture<Body> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final long cap;
        private final String early;
        private final boolean skip;
        private Flow.Subscription subscription;
        private boolean done;

        CappedBody(HttpResponse.ResponseInfo info, long cap) {
            this.cap = cap;
            int s = info.statusCode();
            this.skip = s < 200 || s >= 300;
            String refusal = null;
            if (!skip) {
                long len = info.headers().firstValueAsLong("content-length").orElse(-1);
                String type = info.headers().firstValue("content-type").orElse("").toLowerCase(Locale.ROOT).strip();
                String base = type.contains(";") ? type.substring(0, type.indexOf(';')).strip() : type;
                if (len > cap) refusal = "too large: Content-Length " + len + " bytes, the limit is " + cap;
                else if (!base.isEmpty() && !base.startsWith("image/") && !base.equals("application/octet-stream")
                        && !base.equals("binary/octet-stream"))
                    refusal = "not an image: content type " + base;
            }
            this.early = refusal;
        }

        @Override public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (skip || early != null) {
                s.cancel();
                finish(new Body(new byte[0], early));
            } else s.request(Long.MAX_VALUE);
        }

        @Override public void onNext(List<ByteBuffer> items) {
            if (done) return;
            for (ByteBuffer bb : items) {
                if (buf.size() + (long) bb.remaining() > cap) {
                    subscription.cancel();
                    finish(new Body(null, "too large: more than " + cap + " bytes (stopped reading)"));
                    return;
                }
                byte[] chunk = new byte[bb.remaining()];
                bb.get(chunk);
                buf.writeBytes(chunk);
            }
        }

        @Override public void onError(Throwable t) {
            if (!done) {
                done = true;
                result.completeExceptionally(t);
            }
        }

        @Override public void onComplete() {
            finish(new Body(buf.toByteArray(), null));
        }

        private void finish(Body b) {
            if (!done) {
                done = true;
                result.complete(b);
            }
        }

        @Override public CompletableFuture<Body> getBody() {
            return result;
        }
    }
}
