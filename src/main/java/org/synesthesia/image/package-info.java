/**
 * Images: reading them ({@link org.synesthesia.image.ImageInput}: PNG, JPEG, BMP, GIF from a path or an http(s) URL,
 * to 8-bit RGB as PIL's {@code convert("RGB")}, sizes checked before decoding), Pillow's resize bit for bit
 * ({@link org.synesthesia.image.PillowResize}), CLIP's preprocessing and the original work's
 * ({@link org.synesthesia.image.ClipImageProcessor}), a PNG writer and the spectrogram picture of a log-Mel
 * ({@link org.synesthesia.image.MelImage}).
 */
package org.synesthesia.image;
