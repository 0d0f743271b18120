/**
 * Images: a PNG writer and the spectrogram picture of a log-Mel ({@link org.synesthesia.image.MelImage}).
 */
package org.synesthesia.image;
