package org.synesthesia.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.synesthesia.util.SynesthesiaException;

/**
 * Image bytes (PNG, JPEG, BMP, GIF's first frame) to 8-bit RGB as PIL's {@code Image.open(f).convert("RGB")}: the
 * header is parsed and its size checked against the limits first, then the structure is checked for truncation,
 * then {@code javax.imageio} decodes. Pixels are read from the raster, never through colour conversion: alpha is
 * dropped, grey is replicated to R = G = B, palettes are looked up, samples of fewer than 8 bits are scaled by
 * {@code v * 255 / (2^bits - 1)} and 16-bit samples keep their high byte (as PIL's {@code RGB;16B}; PIL reads 16-bit
 * grey as {@code I;16}, which it clips rather than scales: not reproduced). A GIF's first frame is placed on its
 * logical screen, the rest filled with the palette colour of the transparent index, else of index 0 (as PIL).
 */
final class ImageDecoder {
    private ImageDecoder() {}

    static RgbImage decode(byte[] data, Object source, int maxSide, long maxPixels) {
        ImageHeader h = ImageHeader.parse(data, source);
        h.checkLimits(source, maxSide, maxPixels);
        h.checkComplete(data, source);
        BufferedImage img = read(data, h, source);
        if (h.format() == ImageHeader.Format.GIF) return gifCanvas(img, h, source);
        if (img.getWidth() != h.width() || img.getHeight() != h.height())
            throw SynesthesiaException.inFile(source, h.format() + " decoded to " + img.getWidth() + "x" + img.getHeight()
                    + ", its header says " + h.width() + "x" + h.height());
        return toRgb(img, source);
    }

    private static BufferedImage read(byte[] data, ImageHeader h, Object source) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(h.format().imageIoName);
        if (!readers.hasNext()) throw SynesthesiaException.inFile(source, "no " + h.format() + " decoder in this JDK");
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                @Override public void warningOccurred(ImageReader r, String warning) {
                    warnings.add(warning);
                }
            });
            BufferedImage img = reader.read(0);
            for (String w : warnings) {
                String l = w.toLowerCase(Locale.ROOT);
                if (l.contains("premature") || l.contains("truncat") || l.contains("end of"))
                    throw SynesthesiaException.inFile(source, "truncated " + h.format() + " (decoder: " + oneLine(w) + ")");
            }
            return img;
        } catch (IOException | RuntimeException e) {
            if (e instanceof SynesthesiaException s) throw s;
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
            throw SynesthesiaException.inFile(source, "cannot decode " + h.format() + ": " + m);
        } finally {
            reader.dispose();
        }
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    /** The decoded frame on a canvas of the logical screen (grown to hold the frame, as PIL). */
    private static RgbImage gifCanvas(BufferedImage frame, ImageHeader h, Object source) {
        RgbImage f = toRgb(frame, source);
        int w = Math.max(h.width(), h.frameLeft() + f.width()), hh = Math.max(h.height(), h.frameTop() + f.height());
        if (w == f.width() && hh == f.height()) return f;
        byte[] out = new byte[w * hh * 3];
        if (frame.getColorModel() instanceof IndexColorModel icm) {
            int fill = icm.getTransparentPixel() >= 0 ? icm.getTransparentPixel() : 0;
            byte r = 0, g = 0, b = 0;
            if (fill < icm.getMapSize()) {
                r = (byte) icm.getRed(fill);
                g = (byte) icm.getGreen(fill);
                b = (byte) icm.getBlue(fill);
            }
            for (int i = 0; i < w * hh; i++) {
                out[3 * i] = r;
                out[3 * i + 1] = g;
                out[3 * i + 2] = b;
            }
        }
        for (int y = 0; y < f.height(); y++)
            System.arraycopy(f.rgb(), y * f.width() * 3, out, ((y + h.frameTop()) * w + h.frameLeft()) * 3, f.width() * 3);
        return new RgbImage(w, hh, out);
    }

    /** Raster samples to interleaved RGB bytes, with no colour conversion. */
    static RgbImage toRgb(BufferedImage img, Object source) {
        int w = img.getWidth(), h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster ras = img.getRaster();
        int bands = ras.getNumBands();
        byte[] out = new byte[w * h * 3];
        int[] px = new int[w * bands];
        if (cm instanceof IndexColorModel icm) {
            int n = icm.getMapSize();
            byte[] r = new byte[n], g = new byte[n], b = new byte[n];
            icm.getReds(r);
            icm.getGreens(g);
            icm.getBlues(b);
            for (int y = 0; y < h; y++) {
                ras.getPixels(0, y, w, 1, px);
                for (int x = 0; x < w; x++) {
                    int i = px[x * bands], q = (y * w + x) * 3;
                    if (i < n) {
                        out[q] = r[i];
                        out[q + 1] = g[i];
                        out[q + 2] = b[i];
                    }
                }
            }
            return new RgbImage(w, h, out);
        }
        int colours = cm.getNumColorComponents(), space = cm.getColorSpace().getType();
        boolean grey = colours == 1, rgb = colours == 3 && space == ColorSpace.TYPE_RGB;
        if (!grey && !rgb) {
            String what = space == ColorSpace.TYPE_CMYK ? "CMYK" : space == ColorSpace.TYPE_YCbCr ? "YCbCr" : colours + "-component";
            throw SynesthesiaException.inFile(source, what + " images are not supported (RGB, grey and palette are)");
        }
        int[] bits = cm.getComponentSize();
        for (int y = 0; y < h; y++) {
            ras.getPixels(0, y, w, 1, px);
            for (int x = 0; x < w; x++) {
                int q = (y * w + x) * 3, p = x * bands;
                if (grey) {
                    byte v = (byte) to8(px[p], bits[0]);
                    out[q] = out[q + 1] = out[q + 2] = v;
                } else {
                    out[q] = (byte) to8(px[p], bits[0]);
                    out[q + 1] = (byte) to8(px[p + 1], bits[1]);
                    out[q + 2] = (byte) to8(px[p + 2], bits[2]);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** A {@code bits}-bit sample as 8 bits: high byte when wider, {@code v * 255 / (2^bits - 1)} when narrower. */
    private static int to8(int v, int bits) {
        if (bits == 8) return v;
        if (bits > 8) return v >>> (bits - 8);
        return v * 255 / ((1 << bits) - 1);
    }
}
