package org.synesthesia.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.synesthesia.util.SynesthesiaException;

/** URL input against a local HTTP server on 127.0.0.1. */
class ImageFetchTest {
    private HttpServer server;
    private String base;
    private byte[] png;
    private final AtomicInteger hits = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        png = ImageInputTest.resource("rgb.png");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/ok.png", ex -> send(ex, 200, "image/png", png));
        server.createContext("/octet", ex -> send(ex, 200, "application/octet-stream", png));
        server.createContext("/missing.png", ex -> send(ex, 404, "text/html", "<h1>not found</h1>".getBytes()));
        server.createContext("/loop", ex -> redirect(ex, "/loop"));
        server.createContext("/hop", ex -> redirect(ex, "/ok.png"));
        server.createContext("/hop-missing", ex -> redirect(ex, "/missing.png"));
        for (int n = 0; n <= 5; n++) {
            String to = n == 0 ? "/ok.png" : "/c" + (n - 1);
            server.createContext("/c" + n, ex -> redirect(ex, to));
        }
        server.createContext("/to-ftp", ex -> redirect(ex, "ftp://127.0.0.1/x.png"));
        server.createContext("/slow-headers", ex -> {
            sleep(3000);
            send(ex, 200, "image/png", png);
        });
        server.createContext("/slow-body", ex -> {
            ex.getResponseHeaders().set("Content-Type", "image/png");
            ex.sendResponseHeaders(200, png.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(png, 0, 100);
                o.flush();
                sleep(3000);
                o.write(png, 100, png.length - 100);
            } catch (IOException ignored) {
                // the client gave up
            }
        });
        server.createContext("/big-declared", ex -> send(ex, 200, "image/png", new byte[5000]));
        server.createContext("/big-chunked", ex -> {
            hits.incrementAndGet();
            ex.getResponseHeaders().set("Content-Type", "image/png");
            ex.sendResponseHeaders(200, 0); // chunked: no Content-Length
            try (OutputStream o = ex.getResponseBody()) {
                o.write(png);
                for (int i = 0; i < 100; i++) o.write(new byte[1000]);
            } catch (IOException ignored) {
                // the client stopped reading
            }
        });
        server.createContext("/page.png", ex -> send(ex, 200, "text/html; charset=utf-8", "<!DOCTYPE html><p>hello".getBytes()));
        server.createContext("/html-as-image", ex -> send(ex, 200, "image/png", "<!DOCTYPE html><p>hello".getBytes()));
        server.createContext("/cut.png", ex -> send(ex, 200, "image/png", Arrays.copyOf(png, png.length - 30)));
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
        } catch (IOException ignored) {
            // the client may close early (refused on its headers)
        }
    }

    private static void redirect(HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().set("Location", to);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private String error(ImageInput in, String path) {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> in.read(base + path));
        assertTrue(e.getMessage().startsWith(base + path), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsImagesAndFollowsRedirects() throws Exception {
        RgbImage want = new ImageInput().decode(png, "rgb.png");
        assertEquals(want, new ImageInput().read(base + "/ok.png"));
        assertEquals(want, new ImageInput().read(base + "/octet"));
        assertEquals(want, new ImageInput().read(base + "/hop"));
        // /c4 -> /c3 -> /c2 -> /c1 -> /c0 -> /ok.png: 5 redirects, the limit; /c5 needs 6
        assertEquals(want, new ImageInput().read(base + "/c4"));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> new ImageInput().read(base + "/c5"));
        assertTrue(e.getMessage().endsWith("too many redirects (more than 5)"), e.getMessage());
        // the whole chain to pixel values
        assertEquals(3 * 224 * 224, ClipImageProcessor.clip().pixelValues(new ImageInput().read(base + "/ok.png")).length);
    }

    @Test
    void failuresAreOneLineNamingTheUrl() {
        ImageInput in = new ImageInput();
        assertEquals(base + "/missing.png: HTTP 404 Not Found", error(in, "/missing.png"));
        assertEquals(base + "/loop: too many redirects (more than 5)", error(in, "/loop"));
        assertEquals(base + "/hop-missing (redirected to " + base + "/missing.png): HTTP 404 Not Found", error(in, "/hop-missing"));
        assertTrue(error(in, "/to-ftp").endsWith("redirect to ftp://127.0.0.1/x.png (only http and https are followed)"));
        assertEquals(base + "/page.png: not an image: content type text/html", error(in, "/page.png"));
        assertEquals(base + "/html-as-image: not an image (it looks like HTML or XML)", error(in, "/html-as-image"));
        assertTrue(error(in, "/cut.png").contains(": truncated PNG"));
    }

    @Test
    void oversizeIsRefusedByHeaderAndWhileStreaming() {
        ImageInput in = new ImageInput(ImageInput.Options.defaults().withMaxDownloadBytes(4000));
        assertEquals(base + "/big-declared: too large: Content-Length 5000 bytes, the limit is 4000", error(in, "/big-declared"));
        assertEquals(base + "/big-chunked: too large: more than 4000 bytes (stopped reading)", error(in, "/big-chunked"));
    }

    @Test
    void slowServersTimeOut() {
        ImageInput in = new ImageInput(ImageInput.Options.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500)));
        long t0 = System.nanoTime();
        assertEquals(base + "/slow-headers: timed out after 0.500 s (read timeout)", error(in, "/slow-headers"));
        assertEquals(base + "/slow-body: timed out after 0.500 s (read timeout)", error(in, "/slow-body"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 2500, "two 0.5 s timeouts took " + ms + " ms");
    }

    @Test
    void refusedConnectionIsOneLine() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/x.png";
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> new ImageInput().read(url));
        assertTrue(e.getMessage().startsWith(url + ": cannot connect"), e.getMessage());
    }
}
