package org.synesthesia.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.synesthesia.clip.ClipVisionConfig;
import org.synesthesia.clip.ClipVisionModel;
import org.synesthesia.image.ClipImageProcessor;
import org.synesthesia.image.ImageInput;
import org.synesthesia.image.ImagePreprocess;
import org.synesthesia.image.RgbImage;
import org.synesthesia.tensor.Finite;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

/**
 * Images (paths or http(s) URLs) to CLIP image embeddings, transformers' {@code image_embeds} (openai's
 * {@code encode_image}, not normalised): {@link ImageInput} reads each (a batch's images fetched and decoded
 * concurrently, on virtual threads), {@link ClipImageProcessor} makes the pixel values ({@code --preprocess clip}:
 * CLIPImageProcessor, from the model folder's {@code preprocessor_config.json} when it has one; {@code seed}: the
 * original work's resize), and {@link ClipVisionModel} embeds the batch. An image that cannot be read (missing file,
 * dead URL, not an image, too large) fails its row only; relative paths are taken from {@code base} (the dataset's
 * folder).
 */
public final class ClipImageEmbedder implements ClipEmbedder {
    private final ClipVisionModel model;
    private final ClipImageProcessor processor;
    private final ImageInput input;
    private final Path base;
    private final boolean owned;

    public ClipImageEmbedder(ClipVisionModel model, ClipImageProcessor processor, ImageInput input, Path base, boolean owned) {
        this.model = model;
        this.processor = processor;
        this.input = input;
        this.base = base;
        this.owned = owned;
    }

    /** Loads the vision model at {@code path} ({@link ClipVisionModel#load}) with the preprocessing {@code mode}. */
    public static ClipImageEmbedder load(Path path, ImagePreprocess mode, ImageInput input, Path base) {
        ClipVisionModel m = ClipVisionModel.load(path);
        try {
            Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
            Path cfg = dir == null ? null : dir.resolve("preprocessor_config.json");
            ClipImageProcessor p = ClipImageProcessor.of(mode, cfg != null && Files.isRegularFile(cfg) ? cfg : null);
            ClipVisionConfig c = m.config();
            if (p.config().cropHeight() != c.imageSize() || p.config().cropWidth() != c.imageSize())
                throw SynesthesiaException.inFile(path, "the preprocessing makes " + p.config().cropWidth() + "x" + p.config().cropHeight()
                        + " pixel values, the model takes " + c.imageSize() + "x" + c.imageSize());
            return new ClipImageEmbedder(m, p, input, base, true);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    @Override
    public String description() {
        return model.description() + ", preprocess " + processor.mode().name().toLowerCase(Locale.ROOT);
    }

    @Override
    public int dim() {
        return model.config().projectionDim();
    }

    /** The image a row names: a URL as it is, a relative path from the dataset's folder. */
    String locate(String s) {
        if (ImageInput.isUrl(s) || base == null) return s;
        Path p = Path.of(s);
        return p.isAbsolute() ? s : base.resolve(p).toString();
    }

    @Override
    public float[] embed(List<String> images, String[] failures) {
        int n = images.size(), d = dim(), S = model.config().imageSize(), px = 3 * S * S;
        float[][] pixels = new float[n][];
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<float[]>> jobs = new ArrayList<>();
            for (String s : images) jobs.add(pool.submit(() -> {
                RgbImage img = input.read(locate(s));
                return processor.pixelValues(img);
            }));
            for (int i = 0; i < n; i++) {
                try {
                    pixels[i] = jobs.get(i).get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof SynesthesiaException se) failures[i] = se.getMessage();
                    else if (c instanceof RuntimeException) failures[i] = locate(images.get(i)) + ": cannot read the image (" + c + ")";
                    else throw new IllegalStateException("reading " + images.get(i), c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SynesthesiaException("interrupted while reading images");
                }
            }
        }
        List<Integer> ok = new ArrayList<>();
        for (int i = 0; i < n; i++) if (pixels[i] != null) ok.add(i);
        float[] out = new float[n * d];
        if (ok.isEmpty()) return out;
        float[] batch = new float[ok.size() * px];
        for (int j = 0; j < ok.size(); j++) System.arraycopy(pixels[ok.get(j)], 0, batch, j * px, px);
        float[] e = model.imageEmbeds(Tensor.of(batch, ok.size(), 3, S, S)).toArray();
        Finite.check(e, "clip image embedding");
        for (int j = 0; j < ok.size(); j++) System.arraycopy(e, j * d, out, ok.get(j) * d, d);
        return out;
    }

    @Override
    public void close() {
        if (owned) model.close();
    }
}
